/**
 * One condition, one notice per target: a crash loop or an expiring certificate that an enabled alert rule watches
 * reaches a target taking `alert.firing` as the alert only, not as `instance.crash-loop` or `certificate.expiring` as
 * well; a target taking the plain event alone still gets it, and so does every target once the rule is turned off.
 * Over real SQLite; the deliveries stored by the outbox are counted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationEventKind } from '@slipway/contract';
import {
  addNotificationTarget,
  createCrashLoopConditionSource,
  createNotificationOutbox,
  listAlertRules,
  removeAlertRule,
  type CoreDeps,
  type DeliveryEvent,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('a crash loop or an expiring certificate watched by an alert rule', () => {
  let harness: CoreHarness;
  const deps = (): CoreDeps => ({ ...harness.deps, alertSources: { 'crash-loop': createCrashLoopConditionSource() } });

  const addTarget = (name: string, events?: NotificationEventKind[]) =>
    addNotificationTarget(deps(), {
      project: 'default',
      ...(events === undefined ? {} : { events }),
      target: { kind: 'webhook', url: `https://hooks.example.com/${name}`, secret: 'whsec-dedup-0123456789abcdef' },
    });

  const eventOf = async (kind: DeliveryEvent['kind']): Promise<DeliveryEvent> => {
    const app = await harness.store.apps.findByName('hello');
    const environment = app && (await harness.store.environments.find(app.projectId, 'production'));
    if (!app || !environment) throw new Error('no app');
    return {
      id: harness.deps.ids.next('evt'),
      kind,
      projectId: app.projectId,
      environmentId: environment.id,
      appId: app.id,
      app: app.name,
      environment: environment.name,
      deploymentId: null,
      releaseNumber: null,
      message: `${kind} of hello`,
      atMs: harness.deps.clock.nowMs(),
    };
  };

  /** The targets an event of `kind` was stored for, once recorded by the outbox (with those recorded before). */
  const recipientsOf = async (kind: DeliveryEvent['kind']): Promise<string[]> => {
    await createNotificationOutbox(deps()).record(await eventOf(kind));
    const deliveries = await harness.store.notifications.listDeliveries({ limit: 100 });
    return deliveries.filter((d) => d.event.kind === kind).map((d) => d.targetId);
  };

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
    await harness.createApp('hello');
    await addTarget('everything');
    await addTarget('plain', ['instance.crash-loop', 'certificate.expiring']);
  });

  afterEach(async () => {
    await harness.close();
  });

  it('sends a crash loop the built-in crash-loop rule watches to the alert-taking target as the alert only', async () => {
    const builtIn = (await listAlertRules(deps(), 'default')).find((r) => r.isDefault && r.kind === 'crash-loop');
    expect(builtIn?.isEnabled).toBe(true);
    expect(await recipientsOf('instance.crash-loop')).toHaveLength(1);
  });

  it('sends the crash loop to every target again once the crash-loop rule is turned off', async () => {
    const builtIn = (await listAlertRules(deps(), 'default')).find((r) => r.isDefault && r.kind === 'crash-loop');
    await removeAlertRule(deps(), builtIn?.id ?? '');
    expect(await recipientsOf('instance.crash-loop')).toHaveLength(2);
  });

  it('sends an expiring certificate to both targets without a certificate-expiry rule, and to one with it', async () => {
    expect(await recipientsOf('certificate.expiring')).toHaveLength(2);
    const project = await harness.store.projects.findByName('default');
    await harness.store.alerts.insertRule({
      id: 'alr_certificates',
      projectId: project?.id ?? '',
      appId: null,
      environmentId: null,
      kind: 'certificate-expiry',
      threshold: 14,
      forMs: 0,
      minRequests: null,
      defaultKind: 'certificate-expiry',
      isEnabled: true,
      createdAtMs: 0,
    });
    expect(await recipientsOf('certificate.expiring')).toHaveLength(2 + 1);
  });
});
