/**
 * `/v1/agent/service/*` and `/v1/agent/services`: registration (with its checks, Consul's defaults and refusals),
 * deregistration, maintenance, the list. Services Slipway registered for its own instances change only by an admin.
 */
import { consulServiceId, type CheckRegistration, type ServiceRegistration } from '@slipway/core';
import { blockingRead } from './blocking-read.js';
import { badRequest, CatalogHttpError, permissionDenied } from './catalog-http-error.js';
import type { CatalogHttpEnv } from './catalog-http-env.js';
import { agentServiceOf } from './catalog-mappers.js';
import { parseGoBool } from './catalog-query.js';
import { empty, json, route, type CatalogRequest, type CatalogRoute } from './catalog-route.js';
import { checkFields, checkRegistrationOf } from './check-definition-body.js';
import { JsonFields } from './json-body.js';

const serviceFields = [
  'Kind',
  'ID',
  'Name',
  'Tags',
  'Port',
  'Address',
  'SocketPath',
  'TaggedAddresses',
  'EnableTagOverride',
  'Meta',
  'Weights',
  'Check',
  'Checks',
  'Proxy',
  'Connect',
  'Namespace',
  'Partition',
  'Locality',
];
const metaMaxPairs = 64;
const metaKeyMaxLength = 128;
const metaValueMaxLength = 512;

function checkMeta(meta: Record<string, string>): void {
  const entries = Object.entries(meta);
  if (entries.length > metaMaxPairs)
    throw badRequest(`Invalid Service Meta: Node metadata cannot contain more than ${metaMaxPairs} key/value pairs`);
  for (const [key, value] of entries) {
    if (!/^[a-zA-Z0-9_-]+$/.test(key)) throw badRequest(`Invalid Service Meta: Key contains invalid characters`);
    if (key.length > metaKeyMaxLength)
      throw badRequest(`Invalid Service Meta: Key is too long (limit: ${metaKeyMaxLength} characters)`);
    if (key.startsWith('consul-'))
      throw badRequest(`Invalid Service Meta: Key prefix 'consul-' is reserved for internal use`);
    if (value.length > metaValueMaxLength)
      throw badRequest(`Invalid Service Meta: Value is too long (limit: ${metaValueMaxLength} characters)`);
  }
}

/** A registration body as the engine's registration, with its checks' ids and names defaulted. */
export function serviceRegistrationOf(body: Buffer): ServiceRegistration {
  const fields = JsonFields.parse(body, serviceFields);
  const kind = fields.string('Kind');
  if (kind !== undefined && kind !== '')
    throw badRequest(`Invalid service kind: ${JSON.stringify(kind.slice(0, 32))} is not supported`);
  if (fields.has('Proxy') || fields.has('Connect'))
    throw badRequest('Connect and proxy registrations are not supported');
  const name = fields.string('Name') ?? '';
  if (name === '') throw badRequest('Missing service name');
  const id = (fields.string('ID') ?? '') || name;
  const port = fields.integer('Port') ?? 0;
  if (port > 65535) throw badRequest('Request decode failed: Port must be at most 65535');
  const meta = fields.stringMap('Meta') ?? {};
  checkMeta(meta);
  const weightsFields = fields.object('Weights', ['Passing', 'Warning']);
  const weights = { passing: weightsFields?.integer('Passing') ?? 1, warning: weightsFields?.integer('Warning') ?? 1 };
  if (weightsFields !== undefined && weights.passing < 1) throw badRequest('Passing must be greater than 0');
  const taggedAddresses: Record<string, { address: string; port: number }> = {};
  const tagged = fields.any('TaggedAddresses');
  if (tagged !== undefined) {
    if (typeof tagged !== 'object' || tagged === null || Array.isArray(tagged))
      throw badRequest('Request decode failed: invalid TaggedAddresses');
    for (const [tag, value] of Object.entries(tagged)) {
      const at = new JsonFields(value, ['Address', 'Port'], `TaggedAddresses.${tag}`);
      taggedAddresses[tag] = { address: at.string('Address') ?? '', port: at.integer('Port') ?? 0 };
    }
  }
  const single = fields.object('Check', checkFields);
  const bodies = [...(single === undefined ? [] : [single]), ...(fields.objects('Checks', checkFields) ?? [])];
  // Empty checks are dropped before the ids are numbered, as Consul's CheckTypes() does.
  const checks = bodies
    .map((check) => checkRegistrationOf(check, { checkId: '', name: `Service '${name}' check`, serviceId: id }))
    .filter((check): check is CheckRegistration => check !== undefined);
  checks.forEach((check, position) => {
    if (check.checkId === '') check.checkId = checks.length > 1 ? `service:${id}:${position + 1}` : `service:${id}`;
  });
  return {
    id,
    name,
    tags: fields.strings('Tags') ?? [],
    address: fields.string('Address') ?? '',
    port,
    meta,
    taggedAddresses,
    weights,
    enableTagOverride: fields.boolean('EnableTagOverride') ?? false,
    source: { kind: 'agent' },
    checks,
  };
}

/** Script checks run commands on this host: only when slipwayd allows them, and only for an admin. */
export function refuseScriptChecks(
  env: CatalogHttpEnv,
  request: CatalogRequest,
  checks: readonly CheckRegistration[],
): void {
  if (!checks.some((check) => check.definition.type === 'script')) return;
  if (!env.isScriptChecksEnabled) {
    throw badRequest("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' to true");
  }
  if (!request.authority.isAdmin) throw permissionDenied();
}

/** A service Slipway registered for one of its instances is changed by an admin only. */
export function refuseSlipwayService(env: CatalogHttpEnv, request: CatalogRequest, serviceId: string): void {
  const existing = env.catalog.service(serviceId);
  if (existing?.source.kind === 'slipway' && !request.authority.isAdmin) throw permissionDenied();
}

const unknownService = (id: string): CatalogHttpError =>
  new CatalogHttpError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);

export function agentServiceRoutes(env: CatalogHttpEnv): CatalogRoute[] {
  const { catalog } = env;
  const count = (): void => env.metrics?.catalogOperation('agent');
  return [
    route(['PUT'], '/v1/agent/service/register', async (request) => {
      const registration = serviceRegistrationOf(request.body);
      request.require({ kind: 'service', name: registration.name }, 'write');
      refuseSlipwayService(env, request, registration.id);
      refuseScriptChecks(env, request, registration.checks);
      count();
      await catalog.registerService(registration, {
        replaceExistingChecks: request.query.has('replace-existing-checks'),
      });
      return empty();
    }),
    route(['PUT'], '/v1/agent/service/deregister/', async (request) => {
      const id = request.tail;
      if (id === '') throw badRequest('Missing service ID');
      const existing = catalog.service(id);
      // The `consul` service is the catalog's own, not the agent's: Consul's agent does not know it either.
      if (existing === undefined || id === consulServiceId) throw unknownService(id);
      request.require({ kind: 'service', name: existing.name }, 'write');
      refuseSlipwayService(env, request, id);
      count();
      if (!(await catalog.deregisterService(id))) throw unknownService(id);
      return empty();
    }),
    route(['PUT'], '/v1/agent/service/maintenance/', async (request) => {
      const id = request.tail;
      if (id === '') throw badRequest('Missing service ID');
      const enable = request.query.get('enable');
      if (enable === undefined) throw badRequest('Missing value for enable');
      const isEnabled = parseGoBool(enable);
      if (isEnabled === undefined) throw badRequest(`Invalid value for enable: "${enable.slice(0, 32)}"`);
      const existing = catalog.service(id);
      if (existing === undefined) throw unknownService(id);
      request.require({ kind: 'service', name: existing.name }, 'write');
      refuseSlipwayService(env, request, id);
      count();
      if (!(await catalog.setServiceMaintenance(id, isEnabled, request.query.get('reason') ?? '')))
        throw unknownService(id);
      return empty();
    }),
    route(['GET'], '/v1/agent/services', async (request) => {
      count();
      const listed = await blockingRead(catalog, request, [{ kind: 'services' }], () => catalog.services(), {
        onWaiting: (delta) => env.metrics?.blockingWaiters(delta),
      });
      const visible = listed.value.filter(
        (service) => request.authority.canSeeService(service.name) && service.id !== consulServiceId,
      );
      return json(
        Object.fromEntries(visible.map((service) => [service.id, agentServiceOf(service, env.datacenter)])),
        listed.index,
      );
    }),
    route(['GET'], '/v1/agent/service/', (request) => {
      const existing = catalog.service(request.tail);
      if (existing === undefined || !request.authority.canSeeService(existing.name)) {
        throw new CatalogHttpError(404, `unknown service ID: ${request.tail}`);
      }
      count();
      return json({ ...agentServiceOf(existing, env.datacenter), ContentHash: '' }, existing.modifyIndex);
    }),
  ];
}
