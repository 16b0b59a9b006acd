/**
 * Notifications end to end, against a real slipwayd and a real HTTP receiver: a failed deployment produces a webhook
 * delivery signed as docs/notifications.md says (the receiver verifies it with the code the page gives), retried
 * after the receiver fails once, and `slipway notifications list` shows both attempts. A delivery whose attempt
 * failed before slipwayd stopped is sent by the next slipwayd. The webhook secret and the URL's path (as secret as a
 * Slack URL) are found nowhere: not in answers, CLI output, slipwayd's log, nor any file of the data dir.
 * Narrated step by step because each step depends on the one before.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationDeliveryView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { filesUnder } from './files-under.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const secret = `whsec-sentinel-${randomBytes(12).toString('hex')}`;
const pathToken = `path-sentinel-${randomBytes(12).toString('hex')}`;

/** docs/notifications.md's receiver check, as a receiver would write it with node:crypto only. */
function verifySlipwaySignature(header: string, rawBody: Buffer, key: string, toleranceSeconds = 300): boolean {
  const fields = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(fields.get('t'));
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  const expected = createHmac('sha256', key).update(`${timestamp}.`).update(rawBody).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  return Math.abs(Date.now() / 1000 - timestamp) <= toleranceSeconds;
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  isVerified: boolean;
}

describe('notifications end to end', () => {
  let slipwayd: SlipwaydHarness;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  /** Statuses the receiver answers with, in order; 200 once used up. */
  const statuses: number[] = [];
  const seen: string[] = [];
  const cli = async (args: string[], input?: string) => {
    const result = await slipwayd.cli(args, input === undefined ? {} : { input });
    seen.push(result.stdout, result.stderr);
    return result;
  };
  const deliveries = async (): Promise<NotificationDeliveryView[]> => {
    const list = await cli(['notifications', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    return (JSON.parse(list.stdout) as { deliveries: NotificationDeliveryView[] }).deliveries;
  };
  const deployFailing = async (): Promise<string> => {
    const deploy = await cli([
      'deploy',
      'notified',
      '--path',
      join(fixturesDir, 'build-fails'),
      '--no-follow',
      '--json',
    ]);
    expect(deploy.code, deploy.stderr).toBe(0);
    const { deployment } = JSON.parse(deploy.stdout) as { deployment: { id: string } };
    expect((await slipwayd.settle(deployment.id)).state).toBe('failed');
    return deployment.id;
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const header = request.headers['slipway-signature'];
        const status = statuses.shift() ?? 200;
        received.push({
          path: request.url ?? '',
          headers: request.headers,
          body,
          status,
          isVerified: typeof header === 'string' && verifySlipwaySignature(header, body, secret),
        });
        response.statusCode = status;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    slipwayd = await SlipwaydHarness.create();
    // Retries a second apart rather than 10 s, 1 min…: the schedule itself is the core tests' business.
    const configFile = join(slipwayd.dataDir, 'slipwayd.yaml');
    await writeFile(configFile, `notificationRetryDelaysMs: [${Array.from({ length: 8 }, () => 1000).join(', ')}]\n`);
    // Everything slipwayd logs, down to debug, is scanned.
    await slipwayd.start({ logLevel: 'debug', args: ['--config', configFile] });
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('refuses a URL that is not http(s) or carries credentials, with a coded error, storing nothing', async () => {
    expect((await cli(['apps', 'create', 'notified'])).code).toBe(0);
    for (const url of ['ftp://127.0.0.1/hook', `https://user:${pathToken}@127.0.0.1/hook`]) {
      const add = await cli(
        ['notifications', 'targets', 'add', 'default', '--webhook', url, '--secret-from-stdin'],
        `${secret}\n`,
      );
      expect(add.code).not.toBe(0);
      expect(add.stderr).toContain('NOTIFICATION_TARGET_INVALID');
    }
    const list = await cli(['notifications', 'targets', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual({ targets: [] });
  });

  it('adds a webhook target with its secret from stdin; the listing shows scheme and host only', async () => {
    const add = await cli(
      [
        'notifications',
        'targets',
        'add',
        'default',
        '--env',
        'production',
        '--webhook',
        `${receiverUrl}/hooks/${pathToken}`,
        '--secret-from-stdin',
        '--events',
        'deployment.failed,rollout.aborted',
      ],
      `${secret}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(
      `webhook ${receiverUrl} gets deployment.failed, rollout.aborted of default in production`,
    );
    const list = await cli(['notifications', 'targets', 'list', 'default', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({
      targets: [{ kind: 'webhook', destination: receiverUrl, environment: 'production', project: 'default' }],
    });
  });

  it('sends a failed deployment to the webhook, signed and verifiable, and retries it after the receiver fails once', async () => {
    statuses.push(500);
    const deploymentId = await deployFailing();
    await waitFor(() => expect(received).toHaveLength(2), { timeoutMs: 30_000 });
    expect(received.map((r) => r.status)).toEqual([500, 200]);
    expect(received.every((r) => r.isVerified)).toBe(true);
    expect(received.every((r) => r.path === `/hooks/${pathToken}`)).toBe(true);
    const [first, second] = received;
    expect(first?.headers['slipway-event-id']).toBe(second?.headers['slipway-event-id']);
    expect(first?.headers['slipway-event']).toBe('deployment.failed');
    expect(first?.body.equals(second?.body ?? Buffer.alloc(0))).toBe(true);
    expect(JSON.parse(second?.body.toString() ?? '')).toMatchObject({
      type: 'deployment.failed',
      project: 'default',
      environment: 'production',
      app: 'notified',
      deploymentId,
      releaseNumber: null,
    });

    // The same body with a byte changed, or the same signature under another secret, does not verify.
    const tampered = Buffer.from(second?.body.toString().replace('notified', 'notifie_') ?? '');
    const header = second?.headers['slipway-signature'] as string;
    expect(verifySlipwaySignature(header, tampered, secret)).toBe(false);
    expect(verifySlipwaySignature(header, second?.body ?? Buffer.alloc(0), 'another-secret-entirely')).toBe(false);

    const [delivery] = await waitFor(async () => {
      const all = await deliveries();
      expect(all[0]?.state).toBe('delivered');
      return all;
    });
    expect(delivery).toMatchObject({
      event: 'deployment.failed',
      app: 'notified',
      targetKind: 'webhook',
      destination: receiverUrl,
    });
    expect(delivery?.attempts.map((a) => [a.outcome, a.detail])).toEqual([
      ['failed', `${receiverUrl} answered HTTP 500 Internal Server Error`],
      ['delivered', 'HTTP 200 OK'],
    ]);
    const text = await cli(['notifications', 'list']);
    expect(text.stdout).toMatch(/attempt 1 .* failed .* answered HTTP 500 Internal Server Error/);
    expect(text.stdout).toMatch(/attempt 2 .* delivered .* HTTP 200 OK/);
    expect((await cli(['notifications', 'list', '--failed', '--json'])).stdout).toBe(
      `${JSON.stringify({ deliveries: [] }, null, 2)}\n`,
    );
  });

  it('sends after a restart what the last slipwayd had yet to deliver', async () => {
    statuses.push(503, 503, 503, 503, 503, 503, 503, 503, 503, 503);
    const before = received.length;
    await deployFailing();
    await waitFor(() => expect(received.length).toBeGreaterThan(before), { timeoutMs: 30_000 });
    await slipwayd.kill('SIGTERM');
    statuses.length = 0;
    const configFile = join(slipwayd.dataDir, 'slipwayd.yaml');
    await slipwayd.start({ logLevel: 'debug', args: ['--config', configFile] });

    const [delivery] = await waitFor(
      async () => {
        const all = await deliveries();
        expect(all[0]?.state).toBe('delivered');
        return all;
      },
      { timeoutMs: 30_000 },
    );
    const outcomes = delivery?.attempts.map((a) => a.outcome) ?? [];
    expect(outcomes.at(-1)).toBe('delivered');
    expect(outcomes.slice(0, -1).every((o) => o === 'failed')).toBe(true);
    expect(outcomes.length).toBeGreaterThanOrEqual(2);
    expect(received.at(-1)?.isVerified).toBe(true);
  });

  it('leaves the secret and the URL’s path nowhere: answers, CLI output, slipwayd’s log, the data dir', async () => {
    seen.push(JSON.stringify(await slipwayd.api.notifications.listTargets()));
    seen.push(JSON.stringify(await slipwayd.api.notifications.listDeliveries({ limit: 500 })));
    const texts = [...seen, slipwayd.output].join('\n');
    const files = await filesUnder(slipwayd.dataDir);
    expect(files.map((f) => f.slice(slipwayd.dataDir.length))).toEqual(expect.arrayContaining(['/slipway.db']));
    for (const value of [secret, pathToken]) {
      for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')]) {
        expect(texts.includes(form), `${value} in API answers, CLI output or the slipwayd log`).toBe(false);
        for (const file of files) {
          // The config file written by this test holds neither: only retry delays.
          expect((await readFile(file)).includes(form), `${value} in ${file}`).toBe(false);
        }
      }
    }
    // The scan would have seen them: the deliveries and the target are in what it read.
    expect(texts).toContain('deployment.failed');
    expect(texts).toContain(receiverUrl);
  });
});
