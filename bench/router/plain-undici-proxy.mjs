// A reference point, not a product: the plain single-process Node proxy the issue names — node:http server, undici's
// `Pool.stream` to the upstream (keep-alive), headers passed as they are, bodies streamed.
//
// Usage: node plain-undici-proxy.mjs <listenPort> <upstreamPort>
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 128, pipelining: 1 });

const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const headers = { ...req.headers };
  delete headers.connection;
  pool
    .stream(
      { method: req.method, path: req.url, headers, body: hasBody ? req : undefined },
      ({ statusCode, headers: upstreamHeaders }) => {
        delete upstreamHeaders.connection;
        delete upstreamHeaders['keep-alive'];
        delete upstreamHeaders['transfer-encoding'];
        res.writeHead(statusCode, upstreamHeaders);
        return res;
      },
    )
    .catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
});
server.keepAliveTimeout = 60_000;
server.listen(listenPort, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
