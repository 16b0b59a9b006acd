/**
 * The persisted log against a real slipwayd: an app's lines are kept across a restart of slipwayd and a replacement
 * of its instance, with no line lost or stored twice (asserted by the app's own counter and by line id); `--since` and
 * `--grep` filter them; a reader resumes by id (`after`, SSE `Last-Event-ID`) with no gap and no repeat; and a role on
 * one project never reads another project's logs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLineView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { callApi, createUser, errorCode, tokenOf } from './identity-fixtures.js';
import { SlipwaydHarness } from './slipwayd-harness.js';

/** Counts ticks on stdout (every fifth also an ERROR on stderr) and serves. */
const server = `let n = 0;
const id = process.env.SLIPWAY_INSTANCE_ID;
setInterval(() => {
  n += 1;
  console.log('tick ' + n + ' of ' + id);
  if (n % 5 === 0) console.error('ERROR tick ' + n + ' of ' + id);
}, 50);
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

async function allLines(slipwayd: SlipwaydHarness, app: string, query = ''): Promise<LogLineView[]> {
  const lines: LogLineView[] = [];
  let after = 0;
  for (;;) {
    const answer = await slipwayd.fetch(`/api/v1/apps/${app}/logs?after=${after}&tail=10000${query}`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { lines: LogLineView[]; nextAfter?: number };
    lines.push(...body.lines);
    if (body.nextAfter === undefined) return lines;
    after = body.nextAfter;
  }
}

/** The tick numbers of one instance's stdout, in id order. */
const ticksOf = (lines: readonly LogLineView[], instanceId: string): number[] =>
  lines
    .filter((line) => line.instanceId === instanceId && line.stream === 'stdout' && line.line.startsWith('tick '))
    .map((line) => Number(/^tick (\d+)/.exec(line.line)?.[1]));

/**
 * Consecutive from the first, none twice: nothing lost, nothing stored twice. A process started again under the same
 * instance id (a restart in place) counts from 1 again: each of its runs is checked on its own.
 */
function expectConsecutive(ticks: readonly number[]): void {
  const runs: number[][] = [];
  for (const tick of ticks) {
    if (tick === 1 || runs.length === 0) runs.push([]);
    runs.at(-1)!.push(tick);
  }
  for (const run of runs) {
    const first = run[0] ?? 1;
    expect(run).toEqual(run.map((_, index) => first + index));
  }
}

/** The events of an SSE body read until `count` events came (or the stream ended). */
async function readEvents(response: Response, count: number): Promise<{ id: number; line: LogLineView }[]> {
  const events: { id: number; line: LogLineView }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (events.length < count) {
    const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id !== undefined && data !== undefined)
        events.push({ id: Number(id), line: JSON.parse(data) as LogLineView });
    }
  }
  await reader.cancel();
  return events.slice(0, count);
}

describe('the persisted log', () => {
  let slipwayd: SlipwaydHarness;
  let dir: string;
  let firstInstance: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    dir = await mkdtemp(join(tmpdir(), 'slipway-persisted-logs-'));
    await writeFile(join(dir, 'Procfile'), 'web: node server.js\n');
    await writeFile(join(dir, 'server.js'), server);
    expect((await slipwayd.cli(['apps', 'create', 'ticker'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'ticker', '--path', dir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const { instances } = await slipwayd.api.instances.list('ticker');
    firstInstance = instances[0]?.id ?? '';
  }, 120_000);

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every line across a restart of slipwayd, none lost and none twice', async () => {
    await waitFor(
      async () => expect(ticksOf(await allLines(slipwayd, 'ticker'), firstInstance).length).toBeGreaterThan(20),
      {
        timeoutMs: 30_000,
      },
    );
    const before = await allLines(slipwayd, 'ticker');
    await slipwayd.kill('SIGTERM');
    // The app goes on writing while slipwayd is down.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await slipwayd.start();
    const lastBefore = Math.max(...ticksOf(before, firstInstance));
    await waitFor(
      async () =>
        expect(Math.max(...ticksOf(await allLines(slipwayd, 'ticker'), firstInstance))).toBeGreaterThan(
          lastBefore + 40,
        ),
      { timeoutMs: 30_000 },
    );
    const after = await allLines(slipwayd, 'ticker');
    // What was stored before is still there, under the same ids.
    const afterById = new Map(after.map((line) => [line.id, line]));
    for (const line of before) expect(afterById.get(line.id)).toEqual(line);
    expectConsecutive(ticksOf(after, firstInstance));
    const ids = after.map((line) => line.id ?? 0);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  }, 90_000);

  it('filters by time and text, through the CLI', async () => {
    const grep = await slipwayd.cli(['logs', 'ticker', '--since', '1h', '--grep', 'ERROR', '--json']);
    expect(grep.code, grep.stderr).toBe(0);
    const lines = grep.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLineView);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.stream).toBe('stderr');
      expect(line.line).toContain('ERROR');
    }
    const future = await slipwayd.cli(['logs', 'ticker', '--since', new Date(Date.now() + 3_600_000).toISOString()]);
    expect({ code: future.code, stdout: future.stdout }).toEqual({ code: 0, stdout: '' });
    const old = await slipwayd.cli(['logs', 'ticker', '--until', '2h', '--json']);
    expect({ code: old.code, stdout: old.stdout }).toEqual({ code: 0, stdout: '' });
    const deploy = await slipwayd.cli(['logs', 'ticker', '--since', '1h', '--process', 'deploy', '--json']);
    const deployLines = deploy.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLineView);
    expect(deployLines.length).toBeGreaterThan(0);
    for (const line of deployLines) expect(line).toMatchObject({ source: 'deploy', process: 'deploy' });
    const bad = await slipwayd.cli(['logs', 'ticker', '--since', 'yesterday']);
    expect(bad.code).not.toBe(0);
  }, 30_000);

  it('resumes after an id, and an SSE stream resumes from Last-Event-ID across a restart, with no gap and no repeat', async () => {
    const all = await allLines(slipwayd, 'ticker');
    const pivot = all[10]!;
    const resumed = await allLines(slipwayd, 'ticker', '');
    const afterPivot = (await slipwayd
      .fetch(`/api/v1/apps/ticker/logs?after=${pivot.id}&tail=50`)
      .then((r) => r.json())) as {
      lines: LogLineView[];
    };
    expect(afterPivot.lines.map((l) => l.id)).toEqual(resumed.slice(11, 61).map((l) => l.id));

    const first = await slipwayd.fetch(`/api/v1/apps/ticker/logs?follow=true&after=${pivot.id}`);
    const firstEvents = await readEvents(first, 30);
    expect(firstEvents.length).toBe(30);
    const lastSeen = firstEvents.at(-1)!.id;
    await slipwayd.kill('SIGTERM');
    await slipwayd.start();
    const second = await slipwayd.fetch('/api/v1/apps/ticker/logs?follow=true', {
      headers: { 'last-event-id': String(lastSeen) },
    });
    const secondEvents = await readEvents(second, 100);
    const seen = [...firstEvents, ...secondEvents].map((event) => event.id);
    const stored = (await allLines(slipwayd, 'ticker')).map((line) => line.id ?? 0);
    const expected = stored.filter((id) => id > pivot.id!).slice(0, seen.length);
    expect(seen).toEqual(expected);
    for (const event of [...firstEvents, ...secondEvents]) expect(event.line.id).toBe(event.id);
  }, 90_000);

  it('keeps the lines of a replaced instance beside those of its successor', async () => {
    const restarted = await slipwayd.cli(['restart', 'ticker']);
    expect(restarted.code, restarted.stdout + restarted.stderr).toBe(0);
    const { instances } = await slipwayd.api.instances.list('ticker');
    const successor = instances.find((instance) => instance.id !== firstInstance)?.id ?? '';
    expect(successor).not.toBe('');
    await waitFor(
      async () => expect(ticksOf(await allLines(slipwayd, 'ticker'), successor).length).toBeGreaterThan(10),
      {
        timeoutMs: 30_000,
      },
    );
    const lines = await allLines(slipwayd, 'ticker');
    expectConsecutive(ticksOf(lines, firstInstance));
    expectConsecutive(ticksOf(lines, successor));
    expect(ticksOf(lines, successor)[0]).toBe(1);
  }, 90_000);

  it('shows a project’s logs to its members only', async () => {
    await slipwayd.api.projects.create({ name: 'other' });
    await createUser(slipwayd, 'mallory', [{ role: 'admin', project: 'other' }]);
    const token = await tokenOf(slipwayd, 'mallory');
    for (const query of ['since=1h', 'after=0', 'grep=tick', 'follow=true&after=0']) {
      const answer = await callApi(slipwayd, { method: 'GET', path: `/api/v1/apps/ticker/logs?${query}`, token });
      expect({ query, status: answer.status }).toEqual({ query, status: 403 });
      expect(errorCode(answer)).toBeDefined();
      expect(JSON.stringify(answer.body)).not.toContain('tick');
    }
    const put = {
      method: 'PUT',
      path: '/api/v1/apps/ticker/log-settings',
      json: { retentionMs: 3_600_000, maxBytes: null },
    };
    expect((await callApi(slipwayd, { ...put, token })).status).toBe(403);
    const owner = await slipwayd.adminToken();
    const set = await callApi(slipwayd, { ...put, token: owner });
    expect(set.body).toEqual({
      override: { retentionMs: 3_600_000, maxBytes: null },
      effective: { retentionMs: 3_600_000, maxBytes: 64 * 1024 * 1024 },
    });
    // The caller's request id is honoured: in the answer's header and in the error body.
    const traced = await fetch(`${slipwayd.url}/api/v1/apps/ticker/logs?since=1h`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'proxy-7f3a:42' },
    });
    expect(traced.headers.get('x-request-id')).toBe('proxy-7f3a:42');
    expect(((await traced.json()) as { error: { requestId: string } }).error.requestId).toBe('proxy-7f3a:42');
  }, 30_000);
});
