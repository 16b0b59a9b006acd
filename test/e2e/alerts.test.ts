/**
 * Alerts end to end, against a real slipwayd and a real HTTP receiver (a signed-webhook notification target): a
 * crash-looping app fires the built-in crash-loop rule once and resolves once when it serves again; an app whose
 * answers turn to 5xx fires an error-rate rule (from the edge's own counters) once and resolves once; a disk rule
 * with a threshold low enough fires, survives a slipwayd restart without being sent again, and resolves when its
 * rule is removed. Narrated step by step because each step depends on the one before.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRuleView, AlertView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { callApi, createUser, errorCode, tokenOf } from './identity-fixtures.js';
import { fixturesDir, SlipwaydHarness, type EdgePoller } from './slipwayd-harness.js';

const secret = 'whsec-alerts-e2e-0123456789abcdef';

interface AlertPayload {
  id: string;
  type: string;
  app: string | null;
  environment: string | null;
  message: string;
  /** Absent from a payload that is not an alert's. */
  alert?: {
    id: string;
    rule: string;
    kind: string;
    state: 'firing' | 'resolved';
    subject: string;
    value: number | null;
  };
}

function isSigned(header: string | string[] | undefined, body: Buffer): boolean {
  if (typeof header !== 'string') return false;
  const fields = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  const expected = createHmac('sha256', secret)
    .update(`${fields.get('t') ?? ''}.`)
    .update(body)
    .digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Copies hello-node and makes it refuse to start (`crash`) or answer 500 (`fail`) while a flag file exists. */
async function flaggedApp(scratch: string, name: string, behaviour: 'crash' | 'fail'): Promise<string> {
  const source = join(scratch, name);
  await cp(join(fixturesDir, 'hello-node'), source, { recursive: true });
  const server = await readFile(join(source, 'server.js'), 'utf8');
  const prelude =
    behaviour === 'crash'
      ? `if (require('node:fs').existsSync(process.env.FLAG)) {\n  console.error('flag present: refusing to start');\n  process.exit(3);\n}\n`
      : `const __http = require('node:http');\nconst __create = __http.createServer;\n` +
        `__http.createServer = (handler) => __create((req, res) => {\n` +
        `  if (req.url !== '/healthz' && require('node:fs').existsSync(process.env.FLAG)) {\n` +
        `    res.writeHead(500); res.end('failing on purpose\\n'); return;\n  }\n  handler(req, res);\n});\n`;
  await writeFile(join(source, 'server.js'), `${prelude}${server}`);
  const manifest = await readFile(join(source, 'slipway.yaml'), 'utf8');
  await writeFile(join(source, 'slipway.yaml'), `${manifest}env:\n  FLAG: the-flag\n`);
  return source;
}

describe('alerts end to end', () => {
  let slipwayd: SlipwaydHarness;
  let receiver: Server;
  let scratch: string;
  let configFile: string;
  const received: AlertPayload[] = [];
  let unsigned = 0;
  const flagOf: Record<string, string> = {};

  const cli = async (args: string[]) => {
    const result = await slipwayd.cli(args);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const sent = (kind: string, state: 'firing' | 'resolved', subject?: string): AlertPayload[] =>
    received.filter(
      (p) =>
        p.alert?.kind === kind && p.alert.state === state && (subject === undefined || p.alert.subject === subject),
    );
  const alerts = async (): Promise<AlertView[]> =>
    (JSON.parse((await cli(['alerts', 'list', '--json'])).stdout) as { alerts: AlertView[] }).alerts;
  const deploy = async (app: string, source: string): Promise<void> => {
    await cli(['apps', 'create', app]);
    const { deployment } = await slipwayd.api.deployments.create(app, { path: source });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    const [release] = (await slipwayd.api.releases.list(app)).releases;
    flagOf[app] = join(slipwayd.dataDir, 'releases', release?.id ?? '', 'the-flag');
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        if (isSigned(request.headers['slipway-signature'], body))
          received.push(JSON.parse(body.toString()) as AlertPayload);
        else unsigned += 1;
        response.statusCode = 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;

    scratch = await mkdtemp(join(tmpdir(), 'slipway-alerts-'));
    slipwayd = await SlipwaydHarness.create();
    configFile = join(slipwayd.dataDir, 'slipwayd.yaml');
    // Rules evaluated every 300 ms rather than 15 s: the timing itself is the core tests' business.
    await writeFile(configFile, 'alertEvaluationIntervalMs: 300\nnotificationRetryDelaysMs: [500, 500, 500]\n');
    await slipwayd.start({ args: ['--config', configFile] });
    await cli(['apps', 'create', 'placeholder']);
    const add = await slipwayd.cli(
      [
        'notifications',
        'targets',
        'add',
        'default',
        '--webhook',
        receiverUrl,
        '--secret-from-stdin',
        '--events',
        // The crash loop's own event too: the crash-loop alert watches that condition, so it is told once, as the alert.
        'alert.firing,alert.resolved,instance.crash-loop',
      ],
      { input: `${secret}\n` },
    );
    expect(add.code, add.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await rm(scratch, { recursive: true, force: true });
  });

  it('lists the built-in rules of the project, on', async () => {
    const { rules } = JSON.parse((await cli(['alerts', 'rules', 'list', 'default', '--json'])).stdout) as {
      rules: AlertRuleView[];
    };
    expect(rules.map((r) => [r.kind, r.isDefault, r.isEnabled])).toEqual([
      ['crash-loop', true, true],
      ['error-rate', true, true],
      ['disk-usage', true, true],
      ['certificate-expiry', true, true],
    ]);
  });

  it('fires the built-in crash-loop rule once for a crash-looping app, and resolves it once when it serves again', async () => {
    await deploy('looper', await flaggedApp(scratch, 'looper', 'crash'));
    await writeFile(flagOf.looper ?? '', '');
    // The serving instance killed: it restarts into the flag, again and again.
    const { instances } = await slipwayd.api.instances.list('looper');
    expect(instances).toHaveLength(1);
    process.kill(instances[0]?.pid ?? 0, 'SIGKILL');
    await waitFor(() => expect(sent('crash-loop', 'firing', 'looper in production')).toHaveLength(1), {
      timeoutMs: 30_000,
    });
    const [firing] = sent('crash-loop', 'firing');
    expect(firing).toMatchObject({ type: 'alert.firing', app: 'looper', environment: 'production' });
    expect(firing?.message).toMatch(/^Alert crash-loop firing for looper in production: 1 instance crash-looping: /);
    expect((await alerts()).find((a) => a.kind === 'crash-loop')).toMatchObject({ state: 'firing', value: 1 });

    await rm(flagOf.looper ?? '');
    await waitFor(() => expect(sent('crash-loop', 'resolved', 'looper in production')).toHaveLength(1), {
      timeoutMs: 60_000,
    });
    expect(sent('crash-loop', 'resolved')[0]?.alert?.id).toBe(firing?.alert?.id);
    expect(sent('crash-loop', 'firing')).toHaveLength(1);
    expect(received.filter((p) => p.type === 'instance.crash-loop')).toEqual([]);
  }, 120_000);

  it('fires an error-rate rule once from the edge’s counters, and resolves it once when the answers are good again', async () => {
    await deploy('flaky', await flaggedApp(scratch, 'flaky', 'fail'));
    const rule = JSON.parse(
      (
        await cli([
          'alerts',
          'rules',
          'add',
          'default',
          '--app',
          'flaky',
          '--kind',
          'error-rate',
          '--threshold',
          '50%',
          '--for',
          '1s',
          '--min-requests',
          '3',
          '--json',
        ])
      ).stdout,
    ) as AlertRuleView;
    expect(rule).toMatchObject({ app: 'flaky', threshold: 0.5, forSeconds: 1, minRequests: 3, isDefault: false });
    let poller: EdgePoller = slipwayd.pollEdge('flaky.localhost', { intervalMs: 10 });
    try {
      await writeFile(flagOf.flaky ?? '', '');
      await waitFor(() => expect(sent('error-rate', 'firing', 'flaky in production')).toHaveLength(1), {
        timeoutMs: 30_000,
      });
      const [firing] = sent('error-rate', 'firing');
      expect(firing?.alert).toMatchObject({ rule: rule.id, value: 1 });
      expect(firing?.message).toMatch(
        /^Alert error-rate firing for flaky in production: 100% of \d+ requests answered 5xx \(above 50% for 1s\)\.$/,
      );

      await rm(flagOf.flaky ?? '');
      await waitFor(() => expect(sent('error-rate', 'resolved', 'flaky in production')).toHaveLength(1), {
        timeoutMs: 30_000,
      });
      // Still serving well: nothing more is sent.
      await poller.stop();
      poller = slipwayd.pollEdge('flaky.localhost', { intervalMs: 10 });
      await waitFor(async () => expect((await alerts()).find((a) => a.ruleId === rule.id)?.state).toBe('resolved'));
    } finally {
      await poller.stop();
    }
    expect(sent('error-rate', 'firing', 'flaky in production')).toHaveLength(1);
    expect(sent('error-rate', 'resolved', 'flaky in production')).toHaveLength(1);
  }, 120_000);

  it('fires a disk rule set low enough, does not send it again after a restart, and resolves it when removed', async () => {
    const rule = JSON.parse(
      (
        await cli([
          'alerts',
          'rules',
          'add',
          'default',
          '--kind',
          'disk-usage',
          '--threshold',
          '0.000000001',
          '--for',
          '0s',
          '--json',
        ])
      ).stdout,
    ) as AlertRuleView;
    const ours = (state: 'firing' | 'resolved') => sent('disk-usage', state).filter((p) => p.alert?.rule === rule.id);
    await waitFor(() => expect(ours('firing')).toHaveLength(1), { timeoutMs: 30_000 });
    expect(ours('firing')[0]).toMatchObject({ app: null, environment: null, alert: { subject: 'the data dir' } });
    expect(ours('firing')[0]?.message).toMatch(
      /^Alert disk-usage firing for the data dir: .* of the data dir's filesystem in use/,
    );

    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ args: ['--config', configFile] });
    // Several evaluations of the restarted slipwayd: the alert is still firing, and was not sent again.
    // A second disk rule is the witness: once it has fired, the restarted slipwayd has evaluated the first one too.
    const witness = JSON.parse(
      (
        await cli([
          'alerts',
          'rules',
          'add',
          'default',
          '--kind',
          'disk-usage',
          '--threshold',
          '0.000000001',
          '--for',
          '0s',
          '--json',
        ])
      ).stdout,
    ) as AlertRuleView;
    await waitFor(
      () => expect(sent('disk-usage', 'firing').filter((p) => p.alert?.rule === witness.id)).toHaveLength(1),
      {
        timeoutMs: 30_000,
      },
    );
    const firedBefore = ours('firing')[0];
    const stillFiring = (await alerts()).find((a) => a.ruleId === rule.id);
    expect(stillFiring).toMatchObject({ state: 'firing', id: firedBefore?.alert?.id });
    expect(ours('firing')).toHaveLength(1);

    await cli(['alerts', 'rules', 'remove', rule.id]);
    await waitFor(() => expect(ours('resolved')).toHaveLength(1), { timeoutMs: 30_000 });
    expect(ours('resolved')[0]?.message).toContain('the rule was removed or turned off');
    expect(ours('firing')).toHaveLength(1);
    expect(unsigned).toBe(0);
  }, 120_000);

  it('shows and lets manage a project’s rules and alerts only to roles on that project', async () => {
    await slipwayd.api.projects.create({ name: 'other' });
    await createUser(slipwayd, 'default-viewer', [{ role: 'viewer', project: 'default' }]);
    await createUser(slipwayd, 'other-admin', [{ role: 'admin', project: 'other' }]);
    const viewer = await tokenOf(slipwayd, 'default-viewer');
    const otherAdmin = await tokenOf(slipwayd, 'other-admin');
    const defaultRule = (await slipwayd.api.alerts.listRules('default')).rules[0];
    const otherRule = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/alerts/rules',
      token: otherAdmin,
      json: { project: 'other', kind: 'disk-usage', threshold: 0.5 },
    });
    expect(otherRule.status).toBe(201);

    // The viewer of default sees default's rules and alerts, and nothing of other; it may not add a rule.
    const viewerRules = await callApi(slipwayd, { method: 'GET', path: '/api/v1/alerts/rules', token: viewer });
    const viewerProjects = new Set((viewerRules.body as { rules: AlertRuleView[] }).rules.map((r) => r.project));
    expect([...viewerProjects]).toEqual(['default']);
    const viewerAlerts = await callApi(slipwayd, { method: 'GET', path: '/api/v1/alerts', token: viewer });
    const seenAlerts = (viewerAlerts.body as { alerts: AlertView[] }).alerts;
    expect(seenAlerts.length).toBeGreaterThan(0);
    expect(seenAlerts.every((a) => a.project === 'default')).toBe(true);
    const hidden = await callApi(slipwayd, {
      method: 'GET',
      path: '/api/v1/alerts/rules?project=other',
      token: viewer,
    });
    expect([hidden.status, errorCode(hidden)]).toEqual([404, 'PROJECT_NOT_FOUND']);
    const refused = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/alerts/rules',
      token: viewer,
      json: { project: 'default', kind: 'crash-loop' },
    });
    expect(refused.status).toBe(403);

    // The admin of other manages other's rules only: default's are not found, and its alerts not listed.
    const otherAlerts = await callApi(slipwayd, { method: 'GET', path: '/api/v1/alerts', token: otherAdmin });
    expect((otherAlerts.body as { alerts: AlertView[] }).alerts.every((a) => a.project === 'other')).toBe(true);
    const removeDefault = await callApi(slipwayd, {
      method: 'DELETE',
      path: `/api/v1/alerts/rules/${defaultRule?.id ?? ''}`,
      token: otherAdmin,
    });
    expect([removeDefault.status, errorCode(removeDefault)]).toEqual([404, 'ALERT_RULE_NOT_FOUND']);
    const addToDefault = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/alerts/rules',
      token: otherAdmin,
      json: { project: 'default', kind: 'crash-loop' },
    });
    expect([addToDefault.status, errorCode(addToDefault)]).toEqual([404, 'PROJECT_NOT_FOUND']);
    expect((await slipwayd.api.alerts.listRules('default')).rules.find((r) => r.id === defaultRule?.id)).toBeDefined();
  }, 60_000);
});
