// The benchmark's upstream: one Node process answering every request with the same small body over keep-alive.
// It speaks just enough HTTP/1.1 for GETs without bodies (what wrk and the proxies send): it counts request heads
// by their blank line and writes a prebuilt response for each, so the upstream costs far less CPU than any proxy
// in front of it and the comparison measures the proxies. `BENCH_UPSTREAM=http` uses node:http instead.
//
// Usage: node upstream.mjs <port>   (prints `listening <port>` once ready)
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';

const port = Number(process.argv[2] ?? 0);
const body = 'hello, bench\n';
const response = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
);
const headEnd = Buffer.from('\r\n\r\n');

function rawServer() {
  return createNetServer({ noDelay: true }, (socket) => {
    // Bytes of a request head that arrived split over two reads are kept until its blank line arrives.
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let from = 0;
      let answers = 0;
      for (let end = data.indexOf(headEnd, from); end !== -1; end = data.indexOf(headEnd, from)) {
        answers += 1;
        from = end + headEnd.length;
      }
      pending = from === data.length ? Buffer.alloc(0) : data.subarray(from);
      if (answers === 1) socket.write(response);
      else if (answers > 1) socket.write(Buffer.concat(Array.from({ length: answers }, () => response)));
    });
    socket.on('error', () => socket.destroy());
  });
}

function nodeHttpServer() {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

const server = process.env.BENCH_UPSTREAM === 'http' ? nodeHttpServer() : rawServer();
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
