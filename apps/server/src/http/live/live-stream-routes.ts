/**
 * `GET /api/v1/stream?topics=…`: one server-sent-events stream per browser tab for every live view it shows
 * (docs/live-updates.md). Each topic is authorized on its own; the stream resumes every resumable topic from the
 * cursors its `Last-Event-ID` encodes, and state topics start with a fresh snapshot.
 */
import {
  decodeStreamCursor,
  isResumableTopic,
  maxStreamTopics,
  SlipwayError,
  streamQuerySchema,
} from '@slipway/contract';
import type { FastifyRequest } from 'fastify';
import { watchCredential } from '../auth/credential-watch.js';
import { requirePrincipal } from '../auth/request-principal.js';
import { authenticated } from '../auth/route-permissions.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';
import { openSse } from '../sse.js';
import { authorizeTopics } from './live-topic-access.js';
import { createLiveStream } from './live-stream.js';

/** The live streams' bounds and pace (docs/live-updates.md, Limits). */
export const liveStreamSettings = {
  /** How long a client's `EventSource` waits before it reconnects (`retry:`). */
  retryMs: 3_000,
  /** Events queued for a stream at most (characters); a client that lets them pile up is dropped. */
  maxQueuedChars: 512 * 1024,
  maxStreamsPerPrincipal: 16,
  maxStreams: 1_000,
  /** How often a state topic is read while streams listen (`app:`, `approvals`). */
  stateIntervalMs: 1_000,
  /** How often a project's app rows are read while streams listen (`apps:`): every app of the project each time. */
  appsIntervalMs: 2_000,
  /** How often a resumable topic looks for items no in-process signal announced. */
  pollMs: 1_000,
} as const;

const route = routeFor<RouteContext>();

function topicsOf(text: string): string[] {
  const names = [
    ...new Set(
      text
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
  if (names.length === 0 || names.length > maxStreamTopics) {
    throw new SlipwayError('VALIDATION_FAILED', `topics must name 1 to ${maxStreamTopics} topics, comma-separated`, {
      details: { topics: names.length, limit: maxStreamTopics },
    });
  }
  return names;
}

/** The cursors the client resumes from: its `Last-Event-ID` header, else the `lastEventId` query. */
function cursorsOf(request: FastifyRequest, fromQuery: string | undefined): Map<string, number> {
  const header = request.headers['last-event-id'];
  const text = (Array.isArray(header) ? header[0] : header) ?? fromQuery;
  if (text === undefined || text === '') return new Map();
  const cursors = decodeStreamCursor(text);
  if (cursors === undefined) {
    throw new SlipwayError('VALIDATION_FAILED', 'Last-Event-ID is not an event id of this stream', {
      details: { header: 'last-event-id' },
    });
  }
  return cursors;
}

export const liveStreamRoutes: RouteGroup<RouteContext> = {
  name: 'live-stream-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/stream',
      summary:
        'One live event stream (SSE) for many topics: app rows, an app, logs, a deployment, approvals, audit, catalog',
      permission: { action: 'stream.open', access: authenticated },
      schema: { querystring: streamQuerySchema },
      produces: 'text/event-stream',
      handler: async (request, reply, context) => {
        const principal = requirePrincipal(request);
        const names = topicsOf(request.query.topics);
        const resumed = cursorsOf(request, request.query.lastEventId);
        const decision = await authorizeTopics(principal, context.deps.store, names, {
          hasCatalog: context.catalog !== undefined && context.catalogAccess !== undefined,
        });
        if (decision.accepted.length === 0) {
          throw new SlipwayError('FORBIDDEN', 'none of the topics asked for may be streamed to this caller', {
            details: { refused: decision.refused },
          });
        }
        const cursors = new Map(
          [...resumed].filter(([topic]) => isResumableTopic(topic) && decision.accepted.includes(topic)),
        );
        const release = context.liveHub.admit(principal.userId);
        const unsubscribes: (() => void)[] = [];
        try {
          const until = AbortSignal.any([context.shutdownSignal, watchCredential(request, context.identity)]);
          const sse = openSse(request, reply, until, {
            retryMs: liveStreamSettings.retryMs,
            // Heartbeat comments keep proxies from closing a quiet stream, and tell the dashboard it still lives.
            heartbeatMs: context.config.liveHeartbeatMs,
            isCountedPerClient: false,
          });
          const stream = createLiveStream({
            sse,
            principal,
            cursors,
            maxQueuedChars: liveStreamSettings.maxQueuedChars,
            onOverflow: (queuedChars) => {
              context.liveHub.countDropped();
              request.log.warn({ queuedChars }, 'live stream dropped: its client did not take its events');
            },
          });
          if (decision.refused.length > 0) stream.pushControl('refused', { refused: decision.refused });
          stream.pushControl('ready', {
            topics: decision.accepted,
            refused: decision.refused,
            heartbeatMs: context.config.liveHeartbeatMs,
            retryMs: liveStreamSettings.retryMs,
          });
          for (const topic of decision.accepted)
            unsubscribes.push(context.liveHub.subscribe(topic, stream.sinkFor(topic)));
          try {
            await stream.run();
          } finally {
            sse.end();
          }
        } finally {
          for (const unsubscribe of unsubscribes) unsubscribe();
          release();
        }
        return reply;
      },
    }),
  ],
};
