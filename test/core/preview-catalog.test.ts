/** A preview's instances in the service catalog: listed under their app with the preview's environment, gone with it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelDeployment,
  createInstanceRegistration,
  handleGitEvent,
  listPreviews,
  requestDeployment,
  type CatalogEngine,
  type InstanceRegistration,
} from '@slipway/core';
import { createMemoryCatalogStore, silentLogger, waitFor } from '@slipway/testkit';
import { manualClock, openCatalog } from './catalog-engine-fixtures.js';
import { createPreviewWorld, type PreviewWorld } from './preview-fixtures.js';

describe('preview instances in the service catalog', () => {
  let world: PreviewWorld;
  let catalog: CatalogEngine;
  let registration: InstanceRegistration | undefined;

  beforeEach(async () => {
    catalog = await openCatalog(createMemoryCatalogStore(), manualClock());
    world = await createPreviewWorld({
      instanceCatalog: (store) => {
        const made = createInstanceRegistration({
          catalog,
          store,
          clock: manualClock(),
          logger: silentLogger,
          reconcileIntervalMs: 0,
        });
        registration = made;
        return {
          instanceChanged: (id, detail) => made.instanceChanged(id, detail),
          instanceRetiring: (id) => made.instanceRetiring(id),
        };
      },
    });
  });
  afterEach(async () => {
    await world.close();
    await registration?.close();
    await catalog.close();
  });

  it('lists the preview under its environment while it serves, and removes it with the preview', async () => {
    await handleGitEvent(world.deps, world.event('opened', 7));
    const [pending] = await listPreviews(world.deps, 'shop');
    await cancelDeployment(world.deps, { id: pending?.deploymentId ?? '', by: 'test' });
    const view = await requestDeployment(world.deps, {
      app: 'shop',
      environment: 'pr-7',
      source: { kind: 'path', path: await world.harness.webSource() },
    });
    expect((await world.harness.runToEnd(view.id)).state).toBe('succeeded');
    const listed = () => catalog.serviceInstances('shop', ['pr-7']).value.map((v) => v.service.id);
    await waitFor(() => expect(listed()).toHaveLength(1));

    expect((await handleGitEvent(world.deps, world.event('merged', 7))).outcome).toBe('removed');
    await waitFor(() => expect(listed()).toEqual([]));
  });
});
