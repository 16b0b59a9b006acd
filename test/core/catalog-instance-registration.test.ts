/**
 * Slipway's instances in the catalog, over the core harness (real SQLite store, fake runtime, real prober) and a real
 * engine on the memory catalog store: listed once healthy, their check mirroring the health monitor, removed before
 * their process stops, drift repaired by a pass.
 */
import {
  createInstanceRegistration,
  instanceCheckId,
  instanceServiceName,
  scaleApp,
  type CatalogEngine,
  type InstanceRegistration,
} from '@slipway/core';
import { createMemoryCatalogStore, silentLogger, waitFor } from '@slipway/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, openCatalog, serviceRegistration } from './catalog-engine-fixtures.js';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('registration of Slipway’s instances in the catalog', () => {
  let harness: CoreHarness;
  let catalog: CatalogEngine;
  let registration: InstanceRegistration;
  let isHealthy: (instanceId: string) => boolean;
  /** Where in `harness.steps` each deregistration happened (the steps recorded before it). */
  let deregisteredAt: Map<string, number>;

  beforeEach(async () => {
    catalog = await openCatalog(createMemoryCatalogStore(), manualClock());
    deregisteredAt = new Map();
    isHealthy = () => true;
    harness = await createCoreHarness({
      settings: { catalogAddresses: { process: '127.0.0.1:8500' } },
      instanceCatalog: (store) => {
        registration = createInstanceRegistration({
          catalog,
          store,
          clock: manualClock(),
          logger: silentLogger,
          reconcileIntervalMs: 0,
        });
        return {
          instanceChanged: (id, detail) => registration.instanceChanged(id, detail),
          async instanceRetiring(id) {
            await registration.instanceRetiring(id);
            if (catalog.service(id) === undefined) deregisteredAt.set(id, harness.steps.length);
          },
        };
      },
    });
    harness.runtime.setExecHandler(({ status }) =>
      isHealthy(status.instanceId) ? { exitCode: 0, output: 'ok' } : { exitCode: 1, output: 'sick' },
    );
    await harness.createApp('hello');
  });

  afterEach(async () => {
    await harness.close();
    await registration.close();
    await catalog.close();
  });

  it('lists a healthy instance under its app with its environment, process, release and address', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    await waitFor(() => expect(catalog.service(id)).toBeDefined());
    expect(catalog.service(id)).toMatchObject({
      id,
      name: 'hello',
      tags: ['production', 'web', 'release-1'],
      meta: { app: 'hello', environment: 'production', process: 'web', release: '1' },
      address: instance?.host,
      port: instance?.port,
      source: { kind: 'slipway', instanceId: id },
    });
    expect(catalog.check(instanceCheckId(id))).toMatchObject({
      status: 'passing',
      serviceId: id,
      serviceName: 'hello',
      definition: { type: 'slipway', instanceId: id },
    });
    const instances = catalog.serviceInstances('hello', ['production']).value;
    expect(instances.map((view) => view.service.id)).toEqual([id]);
  });

  it('mirrors the health monitor: critical while unhealthy, passing again once healthy', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    await waitFor(() => expect(catalog.check(instanceCheckId(id))?.status).toBe('passing'));

    isHealthy = () => false;
    await waitFor(() => expect(catalog.check(instanceCheckId(id))?.status).toBe('critical'), { timeoutMs: 10_000 });
    expect(catalog.check(instanceCheckId(id))?.output).toBe('Slipway health check failing: exit 1: sick');
    expect(catalog.service(id)).toBeDefined();

    isHealthy = () => true;
    await waitFor(() => expect(catalog.check(instanceCheckId(id))?.status).toBe('passing'), { timeoutMs: 10_000 });
  });

  it('keeps a crashed instance listed as critical until it serves again', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    await waitFor(() => expect(catalog.check(instanceCheckId(id))?.status).toBe('passing'));
    isHealthy = () => false;
    harness.runtime.crash(id, 3);
    await waitFor(() => expect(catalog.check(instanceCheckId(id))?.status).toBe('critical'));
    // The crash, or the restarted process failing its check right after: either way it says why.
    expect(catalog.check(instanceCheckId(id))?.output).toMatch(
      /^instance exited with code 3; restarting$|^instance starting again$|^Slipway health check failing/,
    );
    expect(catalog.service(id)).toBeDefined();
  });

  it('never lists an instance that has not passed its health check', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [first] = await harness.instancesOf('hello');
    isHealthy = (id) => id === first?.id;
    await scaleApp(harness.deps, { app: 'hello', environment: 'production', processes: { web: 2 } });
    const starting = await waitFor(async () => {
      const instances = await harness.instancesOf('hello');
      expect(instances.map((i) => i.state)).toEqual(['healthy', 'starting']);
      return instances[1];
    });
    await registration.instanceChanged(starting?.id ?? '');
    await registration.reconcile();
    expect(catalog.serviceInstances('hello').value.map((view) => view.service.id)).toEqual([first?.id]);
  });

  it('removes the old instance on a redeploy before the runtime stops it, and lists the new one', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [old] = await harness.instancesOf('hello');
    const oldId = old?.id ?? '';
    await waitFor(() => expect(catalog.service(oldId)).toBeDefined());

    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    await waitFor(async () => expect((await harness.instancesOf('hello')).map((i) => i.id)).not.toContain(oldId));
    const [fresh] = await harness.instancesOf('hello');
    expect(catalog.service(oldId)).toBeUndefined();
    expect(catalog.service(fresh?.id ?? '')).toMatchObject({ tags: ['production', 'web', 'release-2'] });

    // In the order things happened: the catalog first, then the runtime's stop or removal of that instance.
    const position = deregisteredAt.get(oldId);
    expect(position).toBeDefined();
    const firstStop = harness.steps.findIndex(
      (step) => (step.kind === 'stop' || step.kind === 'remove') && step.instanceId === oldId,
    );
    expect(firstStop).toBeGreaterThanOrEqual(position ?? Infinity);
  });

  it('repairs drift in a pass: a lost registration comes back, a stale one goes, an agent’s is left alone', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [instance] = await harness.instancesOf('hello');
    const id = instance?.id ?? '';
    await waitFor(() => expect(catalog.service(id)).toBeDefined());

    await catalog.deregisterService(id);
    await catalog.registerService(
      serviceRegistration({
        id: 'ins_gone',
        name: 'hello',
        source: { kind: 'slipway', instanceId: 'ins_gone', appId: 'a' },
      }),
    );
    await catalog.registerService(serviceRegistration({ id: 'by-agent', name: 'hello' }));
    const indexBefore = catalog.index();

    await registration.reconcile();
    expect(
      catalog
        .services()
        .value.map((service) => service.id)
        .sort(),
    ).toEqual(['by-agent', 'consul', id].sort());
    expect(catalog.check(instanceCheckId(id))?.status).toBe('passing');

    // A pass with nothing to repair writes nothing.
    const indexAfter = catalog.index();
    expect(indexAfter).toBeGreaterThan(indexBefore);
    await registration.reconcile();
    expect(catalog.index()).toBe(indexAfter);
  });

  it('gives instances the catalog’s address on the runtimes that reach it', async () => {
    await harness.deploy('hello', await harness.webSource({ healthCheck: 'exec' }));
    const [spec] = harness.runtime.startedSpecs();
    expect(spec?.env).toMatchObject({ SLIPWAY_CATALOG_ADDR: '127.0.0.1:8500', CONSUL_HTTP_ADDR: '127.0.0.1:8500' });
  });

  it('names a service after its app, and after its process type too when it is not web', () => {
    expect(instanceServiceName('hello', 'web')).toBe('hello');
    expect(instanceServiceName('hello', 'worker')).toBe('hello-worker');
  });
});
