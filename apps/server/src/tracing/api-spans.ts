/**
 * One SERVER span per API request (HTTP server conventions: `{method} {route template}`), continuing a sampled
 * `traceparent` the client sent, and active while the request is handled, so the deployment it queues joins its trace.
 * Registered first, so the span covers authentication, rate limits and the handler.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseTraceParent } from '@slipway/contract';

const knownMethods = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

export function installApiSpans(app: FastifyInstance, tracer: Tracer): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.traceparent;
    const incoming = parseTraceParent(typeof header === 'string' ? header : undefined);
    const parent =
      incoming === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: incoming.traceId,
            spanId: incoming.spanId,
            traceFlags: incoming.isSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          });
    const method = knownMethods.has(request.method) ? request.method : '_OTHER';
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? (method === '_OTHER' ? 'HTTP' : method) : `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.scheme': request.protocol,
          // The path alone: a query may carry secrets.
          'url.path': request.url.split('?', 1)[0] ?? '',
          'client.address': request.ip,
          'slipway.request.id': String(request.id),
          ...(route === undefined ? {} : { 'http.route': route }),
        },
      },
      parent,
    );
    spans.set(request, span);
    // What runs after this hook (the other hooks, the handler, and what they await) sees the span as active.
    context.with(trace.setSpan(parent, span), done);
  });
  const end = (request: FastifyRequest, statusCode: number | undefined): void => {
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    if (statusCode !== undefined) span.setAttribute('http.response.status_code', statusCode);
    if (statusCode === undefined || statusCode >= 500) {
      span.setAttribute('error.type', statusCode === undefined ? 'aborted' : String(statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
}
