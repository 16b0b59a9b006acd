import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystemClock } from '@slipway/adapters';
import { consulStatusOf, type CatalogEngine, type CheckRegistration } from '@slipway/core';
import { createMemoryCatalogStore, waitFor } from '@slipway/testkit';
import {
  catalogStoreKinds,
  manualClock,
  openCatalog,
  serviceRegistration,
  type CatalogStoreUnderTest,
  type ManualClock,
} from './catalog-engine-fixtures.js';

const ttlCheck = (serviceId: string, checkId = `service:${serviceId}`, ttlMs = 30_000): CheckRegistration => ({
  checkId,
  name: `Service '${serviceId}' check`,
  serviceId,
  notes: '',
  status: 'critical',
  definition: { type: 'ttl', ttlMs },
});

describe.each(catalogStoreKinds)('catalog services and checks over the %s', (_name, openStore) => {
  let underTest: CatalogStoreUnderTest;
  let clock: ManualClock;
  let catalog: CatalogEngine;

  beforeEach(async () => {
    underTest = await openStore();
    clock = manualClock();
    catalog = await openCatalog(underTest.store, clock);
  });

  afterEach(async () => {
    await catalog.close();
    await underTest.store.close();
    await underTest.cleanup();
  });

  it('holds the node, its serfHealth check and the consul service from the start', () => {
    expect(catalog.node).toMatchObject({
      name: 'node-a',
      address: '127.0.0.1',
      datacenter: 'dc1',
      taggedAddresses: { lan: '127.0.0.1', wan: '127.0.0.1' },
    });
    expect(catalog.services().value.map((service) => [service.id, service.port])).toEqual([['consul', 8300]]);
    expect(catalog.checks().value).toEqual([
      expect.objectContaining({ checkId: 'serfHealth', name: 'Serf Health Status', status: 'passing', serviceId: '' }),
    ]);
    expect(catalog.index()).toBeGreaterThanOrEqual(1);
  });

  it('writes nothing again at a restart with the same settings', async () => {
    const index = catalog.index();
    await catalog.close();
    await underTest.store.close();
    underTest.store = await underTest.reopen();
    const node = catalog.node;
    catalog = await openCatalog(underTest.store, clock);
    expect(catalog.node).toEqual(node);
    expect(catalog.index()).toBe(index);
  });

  it('registers a service with its checks, which start critical with the service name and tags', async () => {
    await catalog.registerService(
      serviceRegistration({ id: 'web-1', name: 'web', tags: ['v1'], checks: [ttlCheck('web-1')] }),
    );
    expect(catalog.service('web-1')).toMatchObject({ name: 'web', tags: ['v1'], createIndex: catalog.index() });
    expect(catalog.check('service:web-1')).toMatchObject({
      status: 'critical',
      serviceName: 'web',
      serviceTags: ['v1'],
    });
    const [view] = catalog.serviceInstances('WEB').value;
    expect(view?.checks.map((check) => check.checkId)).toEqual(['serfHealth', 'service:web-1']);
    expect(catalog.serviceInstances('web', ['V1']).value).toHaveLength(1);
    expect(catalog.serviceInstances('web', ['v1', 'v2']).value).toHaveLength(0);
    expect(catalog.serviceInstances('nope').value).toEqual([]);
  });

  it('orders instances by service id, and raises nothing for a registration that changes nothing', async () => {
    for (const id of ['web-2', 'web-1', 'web-3'])
      await catalog.registerService(serviceRegistration({ id, name: 'web' }));
    expect(catalog.serviceInstances('web').value.map((view) => view.service.id)).toEqual(['web-1', 'web-2', 'web-3']);
    const index = catalog.index();
    await catalog.registerService(serviceRegistration({ id: 'web-2', name: 'web' }));
    expect(catalog.index()).toBe(index);
  });

  it('keeps the status of a check it keeps on re-registration, and drops the others only when asked', async () => {
    const checks = [ttlCheck('api', 'a'), ttlCheck('api', 'b')];
    await catalog.registerService(serviceRegistration({ id: 'api', checks }));
    await catalog.updateCheck('a', 'passing', 'fine');
    await catalog.registerService(serviceRegistration({ id: 'api', tags: ['new'], checks: [ttlCheck('api', 'a')] }));
    expect(catalog.check('a')).toMatchObject({ status: 'passing', output: 'fine', serviceTags: ['new'] });
    expect(catalog.check('b')).toMatchObject({ serviceTags: ['new'] });
    await catalog.registerService(serviceRegistration({ id: 'api', tags: ['new'], checks: [ttlCheck('api', 'a')] }), {
      replaceExistingChecks: true,
    });
    expect(catalog.check('b')).toBeUndefined();
    expect(catalog.check('a')?.status).toBe('passing');
  });

  it('refuses a check of an unknown service, writing nothing', async () => {
    const index = catalog.index();
    const error = await catalog.registerCheck(ttlCheck('ghost')).catch((e: unknown) => e);
    expect([consulStatusOf(error), (error as Error).message]).toEqual([500, 'ServiceID "ghost" does not exist']);
    expect(catalog.index()).toBe(index);
  });

  it('raises the index for a new status, not for a new output alone, and nothing for the same update', async () => {
    await catalog.registerService(serviceRegistration({ id: 'w', checks: [ttlCheck('w')] }));
    const passing = await catalog.updateCheck('service:w', 'passing', 'ok');
    const index = catalog.index();
    expect(passing?.modifyIndex).toBe(index);
    const again = await catalog.updateCheck('service:w', 'passing', 'ok');
    expect(again?.modifyIndex).toBe(index);
    const output = await catalog.updateCheck('service:w', 'passing', 'still ok');
    expect(output).toMatchObject({ output: 'still ok', modifyIndex: index });
    expect(catalog.index()).toBe(index);
    expect(catalog.check('service:w')?.output).toBe('still ok');
    expect(await catalog.updateCheck('nope', 'passing', '')).toBeUndefined();
  });

  it('bounds a check output to 4 KiB', async () => {
    await catalog.registerService(serviceRegistration({ id: 'w', checks: [ttlCheck('w')] }));
    await catalog.updateCheck('service:w', 'warning', 'x'.repeat(10_000));
    expect(catalog.check('service:w')?.output).toHaveLength(4096);
  });

  it('turns a TTL check critical with "TTL expired" when not updated in time', async () => {
    await catalog.registerService(serviceRegistration({ id: 'w', checks: [ttlCheck('w', 'service:w', 10_000)] }));
    await catalog.updateCheck('service:w', 'passing', '');
    clock.advance(9_000);
    await catalog.runDueTimers();
    await catalog.updateCheck('service:w', 'passing', '');
    clock.advance(9_000);
    await catalog.runDueTimers();
    expect(catalog.check('service:w')?.status).toBe('passing');
    clock.advance(1_000);
    await catalog.runDueTimers();
    expect(catalog.check('service:w')).toMatchObject({ status: 'critical', output: 'TTL expired' });
    await catalog.updateCheck('service:w', 'passing', 'back');
    clock.advance(10_000);
    await catalog.runDueTimers();
    expect(catalog.check('service:w')?.output).toBe('TTL expired (last output before timeout follows): back');
  });

  it('puts the node and a service in maintenance with critical checks, and out again', async () => {
    await catalog.registerService(serviceRegistration({ id: 'w' }));
    await catalog.setNodeMaintenance(true, '');
    await catalog.setNodeMaintenance(true, 'again');
    expect(catalog.check('_node_maintenance')).toMatchObject({
      name: 'Node Maintenance Mode',
      status: 'critical',
      notes: 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.',
    });
    expect(await catalog.setServiceMaintenance('w', true, 'deploying')).toBe(true);
    expect(catalog.check('_service_maintenance:w')).toMatchObject({
      name: 'Service Maintenance Mode',
      status: 'critical',
      notes: 'deploying',
      serviceId: 'w',
    });
    expect(await catalog.setServiceMaintenance('nope', true, '')).toBe(false);
    await catalog.setNodeMaintenance(false, '');
    await catalog.setServiceMaintenance('w', false, '');
    expect(catalog.checks().value.map((check) => check.checkId)).toEqual(['serfHealth']);
  });

  it('deregisters a service with its checks', async () => {
    await catalog.registerService(serviceRegistration({ id: 'w', checks: [ttlCheck('w')] }));
    expect(await catalog.deregisterService('w')).toBe(true);
    expect(catalog.service('w')).toBeUndefined();
    expect(catalog.check('service:w')).toBeUndefined();
    expect(await catalog.deregisterService('w')).toBe(false);
    expect(await catalog.deregisterCheck('service:w')).toBe(false);
  });

  it('keeps services and checks across a restart', async () => {
    await catalog.registerService(serviceRegistration({ id: 'w', meta: { a: 'b' }, checks: [ttlCheck('w')] }));
    await catalog.updateCheck('service:w', 'passing', 'up');
    const services = catalog.services();
    const checks = catalog.checks();
    await catalog.close();
    await underTest.store.close();
    underTest.store = await underTest.reopen();
    catalog = await openCatalog(underTest.store, clock);
    expect(catalog.services()).toEqual(services);
    expect(catalog.checks().value.map((check) => [check.checkId, check.status])).toEqual(
      checks.value.map((check) => [check.checkId, check.status]),
    );
  });
});

describe('catalog timers on the real clock', () => {
  it('turns a TTL check critical by itself once its TTL passes, and stops its timer on close', async () => {
    const store = createMemoryCatalogStore();
    const catalog = await openCatalog(store, createSystemClock());
    await catalog.registerService(serviceRegistration({ id: 'w', checks: [ttlCheck('w', 'service:w', 50)] }));
    await catalog.updateCheck('service:w', 'passing', '');
    await waitFor(() =>
      expect(catalog.check('service:w')).toMatchObject({ status: 'critical', output: 'TTL expired' }),
    );
    await catalog.close();
    await store.close();
  });
});
