// A reference point, not a product: the least a single-process Node proxy does (node:http server, one keep-alive
// http.Agent, headers passed as they are, bodies piped), so the edge's own cost can be told from node:http's.
//
// Usage: node plain-node-proxy.mjs <listenPort> <upstreamPort>
import { Agent, createServer, request } from 'node:http';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, scheduling: 'lifo' });

const server = createServer((req, res) => {
  const upstreamReq = request(
    { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on('error', () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
  req.pipe(upstreamReq);
});
server.keepAliveTimeout = 60_000;
server.listen(listenPort, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
