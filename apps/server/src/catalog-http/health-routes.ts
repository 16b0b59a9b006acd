/**
 * `/v1/health/*`: a service's instances with their node and checks (`?passing` keeps those whose every check
 * passes, warning excluded), a service's checks, a node's checks, the checks in a state. Lists are in the same
 * order as the catalog's (node, then service id), which clients pair by position.
 */
import type { CheckRecord } from '@slipway/core';
import { blockingRead } from './blocking-read.js';
import { badRequest } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { healthCheckOf, serviceEntryOf } from './catalog-mappers.js';
import { parseGoBool } from './catalog-query.js';
import { json, route, type CatalogRequest, type CatalogRoute } from './catalog-route.js';

const states = ['any', 'passing', 'warning', 'critical'] as const;

export function healthRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const count = (): void => env.metrics?.catalogOperation('health');
  const blocking = { onWaiting: (delta: 1 | -1) => env.metrics?.blockingWaiters(delta) };
  const nodeName = catalog.node.name;
  /** Checks the request may see: a node check with the node's read, a service check with its service's. */
  const visible = (request: CatalogRequest, checks: readonly CheckRecord[]): CheckRecord[] =>
    checks.filter((check) =>
      check.serviceId === ''
        ? request.authority.can({ kind: 'node', name: nodeName }, 'read')
        : request.authority.canSeeService(check.serviceName),
    );
  const checkList = (request: CatalogRequest, checks: readonly CheckRecord[]): unknown[] =>
    visible(request, checks).map((check) => healthCheckOf(check, nodeName));

  return [
    route(['GET'], '/v1/health/service/', async (request) => {
      const name = request.tail;
      if (name === '') throw badRequest('Missing service name');
      let isPassingOnly = false;
      const passing = request.query.get('passing');
      if (passing !== undefined) {
        const parsed = passing === '' ? true : parseGoBool(passing);
        if (parsed === undefined) throw badRequest('Invalid value for ?passing');
        isPassingOnly = parsed;
      }
      count();
      const tags = request.query.params.getAll('tag');
      // A node check (serfHealth, node maintenance) changes every service's health: its topic wakes these too.
      const listed = await blockingRead(
        catalog,
        request,
        [
          { kind: 'service', name },
          { kind: 'node', name: nodeName },
        ],
        () => catalog.serviceInstances(name, tags),
        blocking,
      );
      if (!request.authority.canSeeService(name)) return json([], listed.index);
      const entries = listed.value.filter(
        (view) => !isPassingOnly || view.checks.every((check) => check.status === 'passing'),
      );
      return json(entries.map(serviceEntryOf), listed.index);
    }),
    route(['GET'], '/v1/health/checks/', async (request) => {
      const name = request.tail;
      if (name === '') throw badRequest('Missing service name');
      count();
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'service', name }, { kind: 'checks' }],
        () => catalog.checks(),
        blocking,
      );
      return json(
        checkList(
          request,
          listed.value.filter((check) => check.serviceId !== '' && check.serviceName === name),
        ),
        listed.index,
      );
    }),
    route(['GET'], '/v1/health/node/', async (request) => {
      const name = request.tail;
      if (name === '') throw badRequest('Missing node name');
      count();
      const listed = await blockingRead(
        catalog,
        request,
        [{ kind: 'node', name }, { kind: 'checks' }],
        () => catalog.checks(),
        blocking,
      );
      return json(name === nodeName ? checkList(request, listed.value) : [], listed.index);
    }),
    route(['GET'], '/v1/health/state/', async (request) => {
      const state = request.tail;
      if (state === '') throw badRequest('Missing check state');
      if (!(states as readonly string[]).includes(state)) throw badRequest('Invalid check state');
      count();
      const listed = await blockingRead(catalog, request, [{ kind: 'checks' }], () => catalog.checks(), blocking);
      const inState = listed.value.filter((check) => state === 'any' || check.status === state);
      return json(checkList(request, inState), listed.index);
    }),
  ];
}
