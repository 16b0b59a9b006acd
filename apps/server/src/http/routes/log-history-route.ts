/**
 * `GET /api/v1/apps/:app/logs` over the persisted log (any of `since`, `until`, `grep`, `after`, or a `Last-Event-ID`
 * header): a page of lines as JSON, or, following, an SSE stream whose events carry each line's id, so a client that
 * reconnects with `Last-Event-ID` (the dashboard's EventSource does by itself) resumes with no gap and no repeat.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError, logTimeMs, type logsQuerySchema } from '@slipway/contract';
import type { z } from 'zod';
import { followLogHistory, getAppScope, readLogHistory, type CoreDeps, type LogHistoryInput } from '@slipway/core';
import { openSse } from '../sse.js';

type LogsQuery = z.output<typeof logsQuerySchema>;

/** True when the request asks for the persisted log rather than the runtime's live output. */
export function isHistoryRequest(query: LogsQuery, headers: FastifyRequest['headers']): boolean {
  return (
    query.since !== undefined ||
    query.until !== undefined ||
    query.grep !== undefined ||
    query.after !== undefined ||
    query.allEnvironments ||
    headers['last-event-id'] !== undefined
  );
}

/** The resume point a reconnecting EventSource sends; it wins over `after`. Errors: `VALIDATION_FAILED`. */
function lastEventId(headers: FastifyRequest['headers']): number | undefined {
  const raw = headers['last-event-id'];
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || !/^\d{1,15}$/.test(text)) {
    throw new SlipwayError('VALIDATION_FAILED', 'Last-Event-ID must be the id of a log line (digits)', {
      details: { header: 'last-event-id' },
    });
  }
  return Number(text);
}

export async function serveLogHistory(
  request: FastifyRequest & { query: LogsQuery; params: { app: string } },
  reply: FastifyReply,
  deps: CoreDeps,
  /** The stream's end from the server's side (shutdown, a revoked credential); asked for only when following. */
  until: () => AbortSignal,
): Promise<unknown> {
  const { query } = request;
  // An unknown app or environment is a coded error, not an empty answer.
  if (!query.allEnvironments) await getAppScope(deps.store, request.params.app, query.environment);
  const nowMs = deps.clock.nowMs();
  const afterId = lastEventId(request.headers) ?? query.after;
  const sinceMs = query.since === undefined ? undefined : logTimeMs(query.since, nowMs);
  const untilMs = query.until === undefined ? undefined : logTimeMs(query.until, nowMs);
  const input: LogHistoryInput = {
    app: request.params.app,
    ...(query.allEnvironments ? {} : { environment: query.environment }),
    ...(query.process === undefined ? {} : { process: query.process }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(untilMs === undefined ? {} : { untilMs }),
    ...(query.grep === undefined ? {} : { grep: query.grep }),
    ...(afterId === undefined ? {} : { afterId }),
    limit: query.tail,
  };
  if (!query.follow) {
    const page = await readLogHistory(deps, input);
    return { lines: page.lines, ...(page.nextAfterId === undefined ? {} : { nextAfter: page.nextAfterId }) };
  }
  const sse = openSse(request, reply, until());
  try {
    const history = { ...deps, ...(deps.logs === undefined ? {} : { writer: deps.logs.writer }) };
    for await (const line of followLogHistory(history, { ...input, signal: sse.signal })) {
      await sse.send({ ...(line.id === undefined ? {} : { id: line.id }), event: 'log', data: line });
    }
  } finally {
    sse.end();
  }
  return reply;
}
