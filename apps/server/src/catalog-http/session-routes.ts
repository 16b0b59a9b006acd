/** `/v1/session/*`: create, destroy, renew, info, list and node, in Consul's shapes. */
import type { SessionBehavior, SessionCreateRequest } from '@slipway/core';
import { blockingRead } from './blocking-read.js';
import { badRequest, CatalogHttpError } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { sessionOf } from './catalog-mappers.js';
import { json, route, type CatalogRequest, type CatalogRoute } from './catalog-route.js';
import { parseGoDurationMs } from './go-duration.js';
import { JsonFields } from './json-body.js';

const sessionFields = [
  'Name',
  'Node',
  'LockDelay',
  'NodeChecks',
  'ServiceChecks',
  'Checks',
  'Behavior',
  'TTL',
  'ID',
  'Namespace',
  'Partition',
  'CreateIndex',
  'ModifyIndex',
];
const minTtlMs = 10_000;
const maxTtlMs = 86_400_000;

/** `LockDelay` as a Go duration string, or a number (nanoseconds; below 1000 taken as seconds, as Consul does). */
function lockDelayMsOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return value < 1000 ? value * 1000 : value / 1e6;
  }
  if (typeof value === 'string') {
    const parsed = parseGoDurationMs(value);
    if (parsed !== undefined && parsed >= 0) return parsed;
  }
  throw badRequest(`Request decode failed: invalid LockDelay`);
}

function createRequestOf(body: Buffer): SessionCreateRequest {
  const fields = JsonFields.parse(body, sessionFields);
  const request: SessionCreateRequest = {};
  const name = fields.string('Name');
  if (name !== undefined) request.name = name;
  const node = fields.string('Node');
  if (node !== undefined && node !== '') request.node = node;
  const lockDelayMs = lockDelayMsOf(fields.any('LockDelay'));
  if (lockDelayMs !== undefined) request.lockDelayMs = lockDelayMs;
  const behavior = fields.string('Behavior');
  if (behavior !== undefined && behavior !== '') {
    if (behavior !== 'release' && behavior !== 'delete') throw badRequest(`Invalid Behavior setting '${behavior}'`);
    request.behavior = behavior satisfies SessionBehavior;
  }
  const ttl = fields.string('TTL');
  if (ttl !== undefined && ttl !== '') {
    const ttlMs = parseGoDurationMs(ttl);
    if (ttlMs === undefined) throw badRequest(`Request decode failed: invalid TTL ${JSON.stringify(ttl.slice(0, 32))}`);
    if (ttlMs !== 0 && (ttlMs < minTtlMs || ttlMs > maxTtlMs)) {
      throw badRequest(`Invalid Session TTL '${ttl}', must be between [10s=24h0m0s]`);
    }
    if (ttlMs !== 0) request.ttlMs = ttlMs;
  }
  const nodeChecks = fields.strings('NodeChecks') ?? fields.strings('Checks');
  if (nodeChecks !== undefined) request.nodeChecks = nodeChecks;
  const serviceChecks = fields.objects('ServiceChecks', ['ID', 'Namespace']);
  if (serviceChecks !== undefined) request.serviceChecks = serviceChecks.map((check) => check.string('ID') ?? '');
  return request;
}

export function sessionRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const count = (): void => env.metrics?.catalogOperation('session');
  const blocking = { onWaiting: (delta: 1 | -1) => env.metrics?.blockingWaiters(delta) };
  const idOf = (request: CatalogRequest): string => {
    if (request.tail === '') throw badRequest('Missing session');
    return request.tail;
  };

  return [
    route(['PUT'], '/v1/session/create', async (request) => {
      request.require({ kind: 'session' }, 'write');
      count();
      const session = await catalog.sessionCreate(createRequestOf(request.body));
      return json({ ID: session.id }, session.createIndex);
    }),
    route(['PUT'], '/v1/session/destroy/', async (request) => {
      const id = idOf(request);
      request.require({ kind: 'session' }, 'write');
      count();
      return json(await catalog.sessionDestroy(id));
    }),
    route(['PUT'], '/v1/session/renew/', async (request) => {
      const id = idOf(request);
      request.require({ kind: 'session' }, 'write');
      count();
      const session = await catalog.sessionRenew(id);
      if (session === undefined) throw new CatalogHttpError(404, `Session id '${id}' not found`);
      return json([sessionOf(session)], session.modifyIndex);
    }),
    route(['GET'], '/v1/session/info/', async (request) => {
      const id = idOf(request);
      request.require({ kind: 'session' }, 'read');
      count();
      const found = await blockingRead(
        catalog,
        request,
        [{ kind: 'sessions' }],
        () => catalog.sessionGet(id),
        blocking,
      );
      return json(found.value === undefined ? [] : [sessionOf(found.value)], found.index);
    }),
    route(['GET'], '/v1/session/list', async (request) => {
      request.require({ kind: 'session' }, 'read');
      count();
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'sessions' }],
        () => catalog.sessionList(),
        blocking,
      );
      return json(listed.value.map(sessionOf), listed.index);
    }),
    route(['GET'], '/v1/session/node/', async (request) => {
      if (request.tail === '') throw badRequest('Missing node name');
      request.require({ kind: 'session' }, 'read');
      count();
      const node = request.tail;
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'sessions' }],
        () => catalog.sessionList(node),
        blocking,
      );
      return json(listed.value.map(sessionOf), listed.index);
    }),
  ];
}
