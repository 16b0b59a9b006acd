/**
 * Notifications in the core over real SQLite and the real cipher: targets refused or sealed, the outbox's fan-out per
 * matching target, and the dispatcher's attempts, backoff, give-up and resume, on a manual clock. The notifier is a
 * scripted fake: what reaches a real receiver is the adapters' and the end-to-end tests' business.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayError, type AddNotificationTargetBody } from '@slipway/contract';
import {
  addNotificationTarget,
  createFleet,
  createNotificationDispatcher,
  createNotificationOutbox,
  createDeploymentRunner,
  defaultNotificationDispatcherSettings,
  listNotificationDeliveries,
  listNotificationTargets,
  removeNotificationTarget,
  rewrapNotificationTargets,
  requestDeployment,
  type Clock,
  type DeliveryEvent,
  type DeliveryEventSink,
  type NotificationDestination,
  type Notifier,
  type RenderedNotification,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    sleep: () => Promise.resolve(),
    advance(ms) {
      nowMs += ms;
    },
  };
}

/** Answers each send with the next scripted outcome (`ok` once the script is used up) and keeps what it was given. */
function scriptedNotifier(script: Array<'ok' | 'fail'> = []) {
  const sent: Array<{ destination: NotificationDestination; notification: RenderedNotification }> = [];
  const notifier: Notifier = {
    async send(destination, notification) {
      sent.push({ destination, notification });
      if ((script.shift() ?? 'ok') === 'fail') {
        throw new SlipwayError(
          'NOTIFICATION_FAILED',
          'https://hooks.example.com answered HTTP 500 Internal Server Error',
          {
            details: { status: 500 },
          },
        );
      }
      return 'HTTP 200 OK';
    },
  };
  return { notifier, sent };
}

const secret = 'whsec-sentinel-9f2c1b7e55aa';
const webhookUrl = 'https://hooks.example.com/services/T000/B000/path-token-sentinel';

describe('notifications', () => {
  let harness: CoreHarness;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    clock = manualClock(Date.UTC(2026, 11, 6, 12));
  });

  afterEach(async () => {
    await harness.close();
  });

  const deps = () => ({ ...harness.deps, clock });
  const addWebhook = (over: Partial<AddNotificationTargetBody> = {}) =>
    addNotificationTarget(deps(), {
      project: 'default',
      target: { kind: 'webhook', url: webhookUrl, secret },
      ...over,
    });

  const eventOf = async (over: Partial<DeliveryEvent> = {}): Promise<DeliveryEvent> => {
    const app = await harness.store.apps.findByName('hello');
    const environment = app && (await harness.store.environments.find(app.projectId, 'production'));
    if (!app || !environment) throw new Error('no app');
    return {
      id: harness.deps.ids.next('evt'),
      kind: 'deployment.failed',
      projectId: app.projectId,
      environmentId: environment.id,
      appId: app.id,
      app: app.name,
      environment: environment.name,
      deploymentId: 'dep_1',
      releaseNumber: 2,
      message: 'Deployment dep_1 of hello in production failed in rollout: HEALTH_CHECK_FAILED: no answer',
      atMs: clock.nowMs(),
      ...over,
    };
  };

  describe('targets', () => {
    it.each([
      ['not a URL at all', 'hooks.example.com/path'],
      ['a scheme other than http(s)', 'ftp://hooks.example.com/path'],
      ['a javascript: URL', 'javascript:alert(1)'],
      ['credentials in the URL', 'https://user:hunter2-sentinel@hooks.example.com/path'],
    ])('refuses %s with a coded error that does not repeat the URL, and stores nothing', async (_name, url) => {
      const error = await addWebhook({ target: { kind: 'webhook', url, secret } }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NOTIFICATION_TARGET_INVALID' });
      expect(JSON.stringify(error)).not.toContain('hunter2-sentinel');
      expect((error as Error).message).not.toContain(url);
      expect(await harness.store.notifications.listTargets()).toEqual([]);
    });

    it('seals the webhook URL and secret: the view shows scheme and host only, and the row holds neither', async () => {
      const view = await addWebhook({ environment: 'production', events: ['deployment.failed'] });
      expect(view).toMatchObject({
        project: 'default',
        environment: 'production',
        kind: 'webhook',
        destination: 'https://hooks.example.com',
        events: ['deployment.failed'],
      });
      const stored = JSON.stringify(await harness.store.notifications.listTargets());
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain('path-token-sentinel');
      expect(JSON.stringify(await listNotificationTargets(deps()))).not.toContain('sentinel');
    });

    it('re-wraps a target’s data key in a master-key rotation, and its destination still opens under the new key only', async () => {
      await addWebhook();
      await harness.keyring.beginRotation();
      expect(await rewrapNotificationTargets(deps())).toBe(1);
      expect(await rewrapNotificationTargets(deps())).toBe(0);
      await harness.keyring.completeRotation();
      const [target] = await harness.store.notifications.listTargets();
      expect(target?.sealed?.masterKeyId).toBe(harness.keyring.current().id);
      await createNotificationOutbox(deps()).record(await eventOf());
      const { notifier, sent } = scriptedNotifier();
      await createNotificationDispatcher(deps(), notifier).deliverDue();
      expect(sent[0]?.destination).toEqual({ kind: 'webhook', url: webhookUrl, secret });
    });

    it('refuses an unknown project or environment and answers NOT_FOUND for a removed target', async () => {
      await expect(addWebhook({ project: 'nope' })).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
      await expect(addWebhook({ environment: 'staging' })).rejects.toMatchObject({ code: 'ENVIRONMENT_NOT_FOUND' });
      const { id } = await addWebhook();
      await removeNotificationTarget(deps(), id);
      await expect(removeNotificationTarget(deps(), id)).rejects.toMatchObject({
        code: 'NOTIFICATION_TARGET_NOT_FOUND',
      });
    });
  });

  describe('outbox', () => {
    it('stores one delivery per target of the project that matches the event’s environment and kind', async () => {
      const app = await harness.store.apps.findByName('hello');
      await harness.store.environments.insert({
        id: 'env_staging',
        projectId: app?.projectId ?? '',
        name: 'staging',
        createdAtMs: clock.nowMs(),
      });
      await addWebhook();
      await addWebhook({ environment: 'production' });
      await addWebhook({ environment: 'staging' });
      await addWebhook({ events: ['deployment.succeeded'] });
      await addNotificationTarget(deps(), { project: 'default', target: { kind: 'email', to: 'ops@example.com' } });

      const outbox = createNotificationOutbox(deps());
      expect(await outbox.record(await eventOf())).toBe(3);
      outbox.publish(await eventOf({ kind: 'deployment.succeeded' }));
      await outbox.idle();
      const deliveries = await harness.store.notifications.listDeliveries({ limit: 50 });
      expect(deliveries.filter((d) => d.event.kind === 'deployment.failed')).toHaveLength(3);
      expect(deliveries.filter((d) => d.event.kind === 'deployment.succeeded')).toHaveLength(4);
      expect(deliveries.every((d) => d.state === 'pending' && d.attempts === 0)).toBe(true);
    });

    it('publishes without throwing when the store fails, and logs instead', async () => {
      const broken = {
        ...harness.store,
        notifications: { ...harness.store.notifications, listTargets: () => Promise.reject(new Error('disk gone')) },
      };
      const outbox = createNotificationOutbox({ ...deps(), store: broken });
      expect(() => outbox.publish({ id: 'evt_x' } as DeliveryEvent)).not.toThrow();
      await outbox.idle();
    });
  });

  describe('dispatcher', () => {
    const settings = defaultNotificationDispatcherSettings;

    it('retries a failed delivery after 10 s, 1 min, 5 min and 30 min, stores every attempt, then gives up as failed', async () => {
      await addWebhook();
      const outbox = createNotificationOutbox(deps());
      await outbox.record(await eventOf());
      const { notifier, sent } = scriptedNotifier(['fail', 'fail', 'fail', 'fail', 'fail']);
      const dispatcher = createNotificationDispatcher(deps(), notifier);

      expect(await dispatcher.deliverDue()).toBe(1);
      for (const [index, delayMs] of settings.retryDelaysMs.entries()) {
        const [delivery] = await harness.store.notifications.listDeliveries({ limit: 1 });
        expect(delivery).toMatchObject({
          state: 'pending',
          attempts: index + 1,
          nextAttemptAtMs: clock.nowMs() + delayMs,
        });
        clock.advance(delayMs - 1);
        expect(await dispatcher.deliverDue()).toBe(0);
        clock.advance(1);
        expect(await dispatcher.deliverDue()).toBe(1);
      }
      expect(sent).toHaveLength(5);
      // Each attempt opened the sealed destination and sent the same event id (receivers dedupe on it).
      expect(sent.every((s) => s.destination.kind === 'webhook' && s.destination.secret === secret)).toBe(true);
      expect(new Set(sent.map((s) => s.notification.payload.id)).size).toBe(1);

      const [view] = await listNotificationDeliveries(deps(), { limit: 10 });
      expect(view).toMatchObject({ state: 'failed', nextAttemptAt: null, event: 'deployment.failed' });
      expect(view?.attempts).toHaveLength(5);
      expect(view?.attempts.every((a) => a.outcome === 'failed' && a.detail.includes('HTTP 500'))).toBe(true);
      clock.advance(24 * 3_600_000);
      expect(await dispatcher.deliverDue()).toBe(0);
      expect(await listNotificationDeliveries(deps(), { state: 'failed', limit: 10 })).toHaveLength(1);
    });

    it('delivers on the retry after one failure, keeping both attempts', async () => {
      await addWebhook();
      await createNotificationOutbox(deps()).record(await eventOf());
      const dispatcher = createNotificationDispatcher(deps(), scriptedNotifier(['fail', 'ok']).notifier);
      await dispatcher.deliverDue();
      clock.advance(10_000);
      await dispatcher.deliverDue();
      const [view] = await listNotificationDeliveries(deps(), { limit: 10 });
      expect(view?.state).toBe('delivered');
      expect(view?.attempts.map((a) => [a.outcome, a.detail])).toEqual([
        ['failed', 'https://hooks.example.com answered HTTP 500 Internal Server Error'],
        ['delivered', 'HTTP 200 OK'],
      ]);
    });

    it('resumes after a restart: a new dispatcher over the same store sends what is due, at its time', async () => {
      await addWebhook();
      await createNotificationOutbox(deps()).record(await eventOf());
      const before = createNotificationDispatcher(deps(), scriptedNotifier(['fail']).notifier);
      await before.deliverDue();
      await before.stop();

      const { notifier, sent } = scriptedNotifier();
      const after = createNotificationDispatcher(deps(), notifier);
      expect(await after.deliverDue()).toBe(0);
      clock.advance(10_000);
      expect(await after.deliverDue()).toBe(1);
      expect(sent).toHaveLength(1);
      expect((await listNotificationDeliveries(deps(), { limit: 1 }))[0]).toMatchObject({ state: 'delivered' });
    });

    it('fails a delivery whose target was removed at its next attempt, without retrying', async () => {
      const { id } = await addWebhook();
      await createNotificationOutbox(deps()).record(await eventOf());
      await removeNotificationTarget(deps(), id);
      const { notifier, sent } = scriptedNotifier();
      await createNotificationDispatcher(deps(), notifier).deliverDue();
      expect(sent).toHaveLength(0);
      const [view] = await listNotificationDeliveries(deps(), { limit: 1 });
      expect(view).toMatchObject({
        state: 'failed',
        attempts: [{ outcome: 'failed', detail: 'the notification target was removed' }],
      });
    });

    it('masks the destination’s secret parts should a receiver echo them into the answer', async () => {
      await addWebhook();
      await createNotificationOutbox(deps()).record(await eventOf());
      const echoing: Notifier = {
        send: (destination) =>
          Promise.reject(
            new SlipwayError(
              'NOTIFICATION_FAILED',
              `receiver said: ${destination.kind === 'webhook' ? destination.secret : ''}`,
            ),
          ),
      };
      await createNotificationDispatcher(deps(), echoing).deliverDue();
      const views = JSON.stringify(await listNotificationDeliveries(deps(), { limit: 1 }));
      expect(views).not.toContain(secret);
    });
  });

  describe('publishing', () => {
    /** Keeps what is published. */
    const recordingSink = () => {
      const events: DeliveryEvent[] = [];
      const sink: DeliveryEventSink = { publish: (event) => events.push(event) };
      return { sink, events };
    };

    it('publishes deployment.failed where a deployment ends failed, and deployment.succeeded where it succeeds', async () => {
      const { sink, events } = recordingSink();
      const withSink = { ...harness.deps, deliveryEvents: sink };
      const runner = createDeploymentRunner(withSink, harness.fleet);
      const run = async (source: string) => {
        const view = await requestDeployment(withSink, {
          app: 'hello',
          environment: 'production',
          source: { kind: 'path', path: source },
        });
        await runner.run(view.id, new AbortController().signal);
        return view.id;
      };
      const failedId = await run(await harness.writeSource({ 'README.md': 'nothing to build\n' }));
      const succeededId = await run(await harness.webSource());

      expect(events.map((e) => [e.kind, e.deploymentId])).toEqual([
        ['deployment.failed', failedId],
        ['deployment.succeeded', succeededId],
      ]);
      expect(events[0]).toMatchObject({ app: 'hello', environment: 'production', releaseNumber: null });
      expect(events[0]?.message).toContain('failed in build');
      expect(events[1]).toMatchObject({ releaseNumber: 1 });
    });

    it('publishes instance.crash-loop once, at the exit that makes the instance crash-loop', async () => {
      expect((await harness.deploy('hello', await harness.webSource())).state).toBe('succeeded');
      // Exits are recorded by hand below; the controller must not restart the instance meanwhile.
      await harness.reconciler.stop();
      const { sink, events } = recordingSink();
      const fleet = createFleet({ ...harness.deps, deliveryEvents: sink });
      const [instance] = await harness.instancesOf('hello');
      if (!instance) throw new Error('no instance');
      const threshold = harness.deps.settings.crashLoopRestarts;
      for (let restarts = 0; restarts <= threshold; restarts += 1) {
        const current = await harness.store.instances.findById(instance.id);
        await harness.store.instances.update({
          ...(current ?? instance),
          state: 'starting',
          healthyAtMs: null,
          restarts,
        });
        await fleet.recordExit(instance.id, { exitCode: 7, isOomKilled: false });
      }
      expect(events.map((e) => e.kind)).toEqual(['instance.crash-loop']);
      expect(events[0]?.message).toContain(`${threshold} exits without serving, last with exit code 7`);
    });
  });
});
