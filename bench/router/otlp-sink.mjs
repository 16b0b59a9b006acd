// A local OTLP/HTTP trace sink for `BENCH_TRACING=1`: takes every export the traced edge sends, answers 200, and
// counts the spans (JSON encoding), so the benchmark measures the edge's tracing without a collector's cost in the
// way (the sink runs in the benchmark's own process, whose CPU is not counted as the proxy's).
import { createServer } from 'node:http';

export async function startOtlpSink() {
  let spans = 0;
  let exports = 0;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      exports += 1;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resource of body.resourceSpans ?? [])
          for (const scope of resource.scopeSpans ?? []) spans += (scope.spans ?? []).length;
      } catch {
        // Counted as an export all the same; the benchmark reports the spans it could read.
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts: () => ({ spans, exports }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
