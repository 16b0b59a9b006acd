/**
 * `/v1/agent/check/*`, `/v1/agent/checks` and `/v1/agent/maintenance`: checks registered on their own or beside a
 * service, TTL heartbeats (`pass`/`warn`/`fail`/`update`), deregistration, the node's maintenance mode.
 */
import type { CatalogRequest, CatalogRoute } from './catalog-route.js';
import type { CheckRecord, CheckStatus } from '@slipway/core';
import { blockingRead } from './blocking-read.js';
import { badRequest, CatalogHttpError } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { healthCheckOf } from './catalog-mappers.js';
import { parseGoBool } from './catalog-query.js';
import { empty, json, route } from './catalog-route.js';
import { refuseScriptChecks, refuseSlipwayService } from './agent-service-routes.js';
import { checkFields, checkRegistrationOf } from './check-definition-body.js';
import { JsonFields } from './json-body.js';

/** Output kept from a heartbeat's note or an update (Consul's default `check_output_max_size`: 4 KiB). */
const outputMaxBytes = 4096;

const unknownCheck = (id: string): CatalogHttpError =>
  new CatalogHttpError(404, `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);

function boundedOutput(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= outputMaxBytes ? text : bytes.subarray(0, outputMaxBytes).toString('utf8');
}

export function agentCheckRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const count = (): void => env.metrics?.catalogOperation('agent');

  /** The check, once the request may write it (its service's write, or the node's for a node check). */
  function writableCheck(request: CatalogRequest, id: string): CheckRecord {
    if (id === '') throw badRequest('Missing check ID');
    const check = catalog.check(id);
    // `serfHealth` is the node's, not the agent's (Consul's agent does not know it, and `agent/checks` leaves it
    // out): deregistered, every session made with the default checks would be refused until a restart.
    if (check === undefined || check.definition.type === 'serf') throw unknownCheck(id);
    if (check.serviceId === '') request.require({ kind: 'node', name: catalog.node.name }, 'write');
    else {
      request.require({ kind: 'service', name: check.serviceName }, 'write');
      refuseSlipwayService(env, request, check.serviceId);
    }
    if (check.definition.type === 'maintenance' || check.definition.type === 'slipway') {
      if (!request.authority.isAdmin) throw new CatalogHttpError(403, 'Permission denied');
    }
    return check;
  }

  async function heartbeat(request: CatalogRequest, status: CheckStatus): Promise<ReturnType<typeof empty>> {
    const check = writableCheck(request, request.tail);
    if (check.definition.type !== 'ttl') {
      throw new CatalogHttpError(500, `CheckID "${check.checkId}" does not have associated TTL`);
    }
    count();
    const updated = await catalog.updateCheck(check.checkId, status, boundedOutput(request.query.get('note') ?? ''));
    if (updated === undefined) throw unknownCheck(check.checkId);
    return empty();
  }

  return [
    route(['PUT'], '/v1/agent/check/register', async (request) => {
      const fields = JsonFields.parse(request.body, checkFields);
      const name = fields.string('Name') ?? '';
      if (name === '') throw badRequest('Missing check name');
      const serviceId = fields.string('ServiceID') ?? '';
      const registration = checkRegistrationOf(fields, { checkId: name, name, serviceId });
      if (registration === undefined) {
        throw badRequest(
          'Must provide TTL or Script/DockerContainerID/HTTP/TCP/GRPC/H2PING/AliasNode/AliasService and Interval',
        );
      }
      if (serviceId === '') request.require({ kind: 'node', name: catalog.node.name }, 'write');
      else {
        const service = catalog.service(serviceId);
        if (service === undefined) throw badRequest(`ServiceID "${serviceId}" does not exist`);
        request.require({ kind: 'service', name: service.name }, 'write');
        refuseSlipwayService(env, request, serviceId);
      }
      const existing = catalog.check(registration.checkId);
      if (existing !== undefined && existing.definition.type !== registration.definition.type) {
        if (['serf', 'maintenance', 'slipway'].includes(existing.definition.type))
          throw new CatalogHttpError(403, 'Permission denied');
      }
      refuseScriptChecks(env, request, [registration]);
      count();
      await catalog.registerCheck(registration);
      return empty();
    }),
    route(['PUT'], '/v1/agent/check/deregister/', async (request) => {
      const check = writableCheck(request, request.tail);
      count();
      if (!(await catalog.deregisterCheck(check.checkId))) throw unknownCheck(check.checkId);
      return empty();
    }),
    route(['PUT', 'GET'], '/v1/agent/check/pass/', (request) => heartbeat(request, 'passing')),
    route(['PUT', 'GET'], '/v1/agent/check/warn/', (request) => heartbeat(request, 'warning')),
    route(['PUT', 'GET'], '/v1/agent/check/fail/', (request) => heartbeat(request, 'critical')),
    route(['PUT'], '/v1/agent/check/update/', async (request) => {
      const check = writableCheck(request, request.tail);
      const fields = JsonFields.parse(request.body, ['Status', 'Output']);
      const status = fields.string('Status') ?? '';
      if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
        throw badRequest(`Invalid check status: '${status.slice(0, 32)}'`);
      }
      if (check.definition.type !== 'ttl') {
        throw new CatalogHttpError(500, `CheckID "${check.checkId}" does not have associated TTL`);
      }
      count();
      const updated = await catalog.updateCheck(check.checkId, status, boundedOutput(fields.string('Output') ?? ''));
      if (updated === undefined) throw unknownCheck(check.checkId);
      return empty();
    }),
    route(['GET'], '/v1/agent/checks', async (request) => {
      count();
      const listed = await blockingRead(catalog, request, [{ kind: 'checks' }], () => catalog.checks(), {
        onWaiting: (delta) => env.metrics?.blockingWaiters(delta),
      });
      const visible = listed.value.filter(
        (check) =>
          check.definition.type !== 'serf' &&
          (check.serviceId === ''
            ? request.authority.can({ kind: 'node', name: catalog.node.name }, 'read')
            : request.authority.canSeeService(check.serviceName)),
      );
      return json(
        Object.fromEntries(visible.map((check) => [check.checkId, healthCheckOf(check, catalog.node.name)])),
        listed.index,
      );
    }),
    route(['PUT'], '/v1/agent/maintenance', async (request) => {
      const enable = request.query.get('enable');
      if (enable === undefined) throw badRequest('Missing value for enable');
      const isEnabled = parseGoBool(enable);
      if (isEnabled === undefined) throw badRequest(`Invalid value for enable: "${enable.slice(0, 32)}"`);
      request.require({ kind: 'node', name: catalog.node.name }, 'write');
      count();
      await catalog.setNodeMaintenance(isEnabled, request.query.get('reason') ?? '');
      return empty();
    }),
  ];
}
