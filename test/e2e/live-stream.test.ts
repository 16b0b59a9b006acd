/**
 * The live stream against a real slipwayd: two topics over one connection; an instance killed behind slipwayd's back
 * shows on the app's topic; log lines resume from `Last-Event-ID` across a restart of slipwayd with no gap and no
 * repeat (asserted by line id); a member of another project is refused a topic, by name and with the role it needs;
 * a bad token is a 401. Also the apps overview and the system status the dashboard reads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppsOverviewView, LogLineView, SystemStatusView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { createUser, tokenOf } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

/** Counts ticks on stdout and serves. */
const server = `let n = 0;
setInterval(() => console.log('tick ' + (n += 1)), 50);
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

interface StreamEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** An open stream's events as they come; `until` reads until an event satisfies it (or the stream ends). */
class EventReader {
  readonly events: StreamEvent[] = [];
  private text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
  }

  async until(isDone: (event: StreamEvent, all: readonly StreamEvent[]) => boolean): Promise<StreamEvent | undefined> {
    let at = 0;
    for (;;) {
      for (; at < this.events.length; at += 1) if (isDone(this.events[at]!, this.events)) return this.events[at];
      const chunk = await this.reader.read();
      if (chunk.done) return undefined;
      this.text += this.decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = this.text.indexOf('\n\n')) >= 0) {
        const block = this.text.slice(0, end);
        this.text = this.text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue;
        const id = /^id: (.*)$/m.exec(block)?.[1];
        this.events.push({ id, event, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}

const logIds = (events: readonly StreamEvent[]): number[] =>
  events.filter((e) => e.event === 'log').map((e) => (e.data['line'] as LogLineView).id ?? 0);

describe('the live stream', () => {
  let slipwayd: SlipwaydHarness;
  let dir: string;

  const open = async (topics: string, headers: Record<string, string> = {}, token?: string): Promise<Response> => {
    const auth = token ?? (await slipwayd.adminToken()) ?? '';
    return fetch(`${slipwayd.url}/api/v1/stream?topics=${encodeURIComponent(topics)}`, {
      headers: { authorization: `Bearer ${auth}`, ...headers },
    });
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    dir = await mkdtemp(join(tmpdir(), 'slipway-live-stream-'));
    await writeFile(join(dir, 'Procfile'), 'web: node server.js\n');
    await writeFile(join(dir, 'server.js'), server);
    expect((await slipwayd.cli(['apps', 'create', 'ticker'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'ticker', '--path', dir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries two topics over one connection, every event with an id', async () => {
    const response = await open('app:ticker,logs:ticker');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = new EventReader(response);
    await stream.until((_, all) => all.some((e) => e.event === 'app') && logIds(all).length >= 5);
    await stream.close();
    expect(stream.events[0]).toMatchObject({ event: 'ready', data: { topics: ['app:ticker', 'logs:ticker'] } });
    const app = stream.events.find((e) => e.event === 'app')!;
    expect(app.data).toMatchObject({ topic: 'app:ticker', row: { name: 'ticker', release: { number: 1 } } });
    expect((app.data['instances'] as unknown[]).length).toBe(1);
    for (const event of stream.events) expect(event.id).toMatch(/^v1/);
  }, 30_000);

  it('shows an instance killed behind slipwayd’s back on the app’s topic', async () => {
    const stream = new EventReader(await open('app:ticker'));
    const first = await stream.until(
      (e) => e.event === 'app' && (e.data['row'] as { status: string }).status === 'running',
    );
    const [instance] = first!.data['instances'] as { id: string; pid: number; restarts: number }[];
    process.kill(-instance!.pid, 'SIGKILL');
    const changed = await stream.until((e) => {
      if (e.event !== 'app') return false;
      const now = (e.data['instances'] as { id: string; state: string; restarts: number }[]).find(
        (i) => i.id === instance!.id,
      );
      return now === undefined || now.state === 'crashed' || now.restarts > instance!.restarts;
    });
    await stream.close();
    expect(changed).toBeDefined();
  }, 60_000);

  it('resumes log lines from Last-Event-ID across a restart of slipwayd, with no gap and no repeat', async () => {
    const first = new EventReader(await open('logs:ticker'));
    await first.until((_, all) => logIds(all).length >= 120);
    await first.close();
    const lastId = first.events.filter((e) => e.event === 'log').at(-1)!.id!;
    expect(lastId).toMatch(/^v1;logs:ticker=\d+$/);
    await slipwayd.kill('SIGTERM');
    await slipwayd.start();
    const second = new EventReader(await open('logs:ticker', { 'last-event-id': lastId }));
    await second.until((_, all) => logIds(all).length >= 100);
    await second.close();
    const seen = [...logIds(first.events), ...logIds(second.events)];
    const stored: number[] = [];
    for (let after = seen[0]! - 1; ;) {
      const page = (await slipwayd
        .fetch(`/api/v1/apps/ticker/logs?after=${after}&tail=10000`)
        .then((r) => r.json())) as { lines: LogLineView[]; nextAfter?: number };
      stored.push(...page.lines.map((line) => line.id ?? 0));
      if (page.nextAfter === undefined) break;
      after = page.nextAfter;
    }
    expect(seen).toEqual(stored.slice(0, seen.length));
  }, 90_000);

  it('carries the audit log as it grows, the catalog and the pending approvals to an admin', async () => {
    const stream = new EventReader(await open('audit,catalog,approvals'));
    await stream.until((_, all) => ['catalog', 'approvals'].every((name) => all.some((e) => e.event === name)));
    expect(stream.events.find((e) => e.event === 'approvals')?.data).toEqual({ topic: 'approvals', pending: [] });
    const catalog = stream.events.find((e) => e.event === 'catalog')!;
    expect(catalog.data['index']).toBeGreaterThanOrEqual(1);
    expect(catalog.data['services']).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ticker' })]));
    expect((await slipwayd.cli(['apps', 'create', 'audited'])).code).toBe(0);
    const audited = await stream.until(
      (e) => e.event === 'audit' && (e.data['record'] as { action: string }).action === 'apps.create',
    );
    await stream.close();
    expect(audited?.id).toMatch(/^v1;audit=\d+$/);
  }, 30_000);

  it('refuses a topic of another project by name, with the role it needs, and a bad token with 401', async () => {
    await slipwayd.api.projects.create({ name: 'other' });
    await createUser(slipwayd, 'mallory', [{ role: 'admin', project: 'other' }]);
    const token = await tokenOf(slipwayd, 'mallory');
    const stream = new EventReader(await open('logs:ticker,apps:other', {}, token));
    await stream.until((e) => e.event === 'apps');
    await stream.close();
    expect(stream.events[0]).toMatchObject({
      event: 'refused',
      data: { refused: [{ topic: 'logs:ticker', code: 'FORBIDDEN', requiredRole: 'viewer' }] },
    });
    expect(stream.events[1]).toMatchObject({ event: 'ready', data: { topics: ['apps:other'] } });
    expect(stream.events.some((e) => e.event === 'log')).toBe(false);

    const allRefused = await open('app:ticker', {}, token);
    expect(allRefused.status).toBe(403);
    expect(((await allRefused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const bad = await open('app:ticker', {}, 'not-a-token');
    expect(bad.status).toBe(401);
    const malformed = await open('app:ticker', { 'last-event-id': 'v2;x' });
    expect(malformed.status).toBe(400);
  }, 30_000);

  it('pages, searches and sorts the apps overview, and answers the system status to an admin only', async () => {
    for (const name of ['alpha', 'beta']) expect((await slipwayd.cli(['apps', 'create', name])).code).toBe(0);
    await waitFor(async () => {
      const page = (await (
        await slipwayd.fetch('/api/v1/projects/default/apps?search=TICK')
      ).json()) as AppsOverviewView;
      expect(page).toMatchObject({ total: 1, apps: [{ name: 'ticker', status: 'running', release: { number: 1 } }] });
      expect(page.apps[0]!.observedAt).not.toBeNull();
    });
    const second = (await (
      await slipwayd.fetch('/api/v1/projects/default/apps?limit=1&offset=1')
    ).json()) as AppsOverviewView;
    expect(second).toMatchObject({
      total: 4,
      offset: 1,
      limit: 1,
      apps: [{ name: 'audited', status: 'not-deployed' }],
    });
    const byStatus = (await (
      await slipwayd.fetch('/api/v1/projects/default/apps?sort=status&order=desc')
    ).json()) as AppsOverviewView;
    expect(byStatus.apps.map((row) => row.name)).toEqual(['alpha', 'audited', 'beta', 'ticker']);

    const status = (await (await slipwayd.fetch('/api/v1/system/status')).json()) as SystemStatusView;
    expect(status).toMatchObject({ store: { kind: 'sqlite' }, edge: { isRunning: true } });
    expect(status.runtimes.map((runtime) => runtime.name)).toContain('process');
    const token = await tokenOf(slipwayd, 'mallory');
    const refused = await fetch(`${slipwayd.url}/api/v1/system/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(403);
  }, 30_000);
});
