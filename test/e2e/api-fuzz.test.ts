/**
 * The API under hostile input, against a real slipwayd: fast-check generates more than 10,000 malformed requests
 * across every route of the permission table — wrong methods, missing, malformed, oversized or wrongly typed JSON,
 * extra fields, huge strings and odd unicode, path parameters with traversal and encoding tricks, bad query strings,
 * bad content types, garbage credentials — with and without a valid owner token. Each write carries at least one
 * defect that must make slipwayd refuse it. It asserts: no 5xx, every error body coded with a code of the closed
 * union, the server alive after, and the state (apps, releases, deployments, config, secrets' names and versions,
 * users, tokens, the master key) exactly as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@slipway/contract';
import { app, fuzzRequest, type FuzzRequest } from './malformed-api-requests.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

interface FuzzAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Sends one request over a raw HTTP client (which, unlike fetch, sends whatever it is given); streams are cut. */
function send(port: number, fuzz: FuzzRequest, attempt = 1): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    let isSettled = false;
    const settle = (outcome: () => void): void => {
      if (isSettled) return;
      isSettled = true;
      outcome();
    };
    const headers = {
      ...fuzz.headers,
      ...(fuzz.body === undefined ? {} : { 'content-length': String(fuzz.body.length) }),
    };
    // The retry of a cut request goes on a connection of its own.
    const via = attempt === 1 ? agent : false;
    const req = request(
      { host: '127.0.0.1', port, method: fuzz.method, path: fuzz.path, headers, agent: via },
      (res) => {
        const contentType = String(res.headers['content-type'] ?? '');
        const chunks: Buffer[] = [];
        if (contentType.startsWith('text/event-stream')) {
          res.destroy();
          settle(() => resolve({ status: res.statusCode ?? 0, contentType, body: '' }));
          return;
        }
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          settle(() =>
            resolve({ status: res.statusCode ?? 0, contentType, body: Buffer.concat(chunks).toString('utf8') }),
          ),
        );
        res.on('error', (error) => settle(() => reject(error)));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${fuzz.method} ${fuzz.path}`)));
    // The server may refuse (and close) before the whole body is sent: the answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : settle(() => reject(error)),
    );
    // A connection cut before the whole answer was read (a refusal racing the body still being written) is sent
    // once more; a second cut fails the test rather than leave it waiting for ever.
    req.on('close', () =>
      settle(() => {
        if (attempt === 1) resolve(send(port, fuzz, 2));
        else reject(new Error(`the connection closed twice before a whole answer to ${describeRequest(fuzz)}`));
      }),
    );
    req.end(fuzz.body);
  });
}

const describeRequest = (f: FuzzRequest): string =>
  `${f.method} ${f.path.slice(0, 200)} (${f.route}, defect ${f.defect}, body ${f.body?.length ?? 0} bytes)`;

describe('the API under 10,000 generated malformed requests', () => {
  let slipwayd: SlipwaydHarness;
  let deploymentId = '';
  let token = '';

  /** Everything a request could change, read through the API (volatile fields left out), and the master key. */
  async function snapshot(): Promise<unknown> {
    const api = slipwayd.api;
    const apps = (await api.apps.list()).apps;
    const perApp = [];
    for (const one of apps) {
      perApp.push({
        app: one,
        config: await api.config.get(one.name),
        releases: await api.releases.list(one.name),
        deployments: await api.deployments.list(one.name),
        secrets: (await api.secrets.list(one.name)).secrets.map((s) => ({ name: s.name, version: s.version })),
      });
    }
    const tokens = (await api.tokens.list()).tokens.map(({ lastUsedAt: _, ...rest }) => rest);
    return {
      projects: await api.projects.list(),
      apps: perApp,
      users: await api.users.list(),
      tokens,
      masterKey: createHash('sha256')
        .update(readFileSync(join(slipwayd.dataDir, 'master.key')))
        .digest('hex'),
    };
  }

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    // The rate limiter would answer most of this burst with 429 before the checks under test: it is off here.
    const configFile = join(slipwayd.dataDir, 'fuzz-config.yaml');
    writeFileSync(configFile, 'rateLimits:\n  isEnabled: false\n');
    await slipwayd.start({ args: ['--config', configFile] });
    const api = slipwayd.api;
    await api.projects.create({ name: 'acme' });
    await api.apps.create({ name: app, project: 'acme' });
    const deployed = await api.deployments.create(app, { path: join(fixturesDir, 'hello-static') });
    deploymentId = deployed.deployment.id;
    expect((await slipwayd.settle(deploymentId)).state).toBe('succeeded');
    await api.config.patch(app, { set: { FUZZ_CONFIG: 'one' }, deploy: false });
    await api.secrets.set(app, 'FUZZ_SECRET', { value: 'fuzz-secret-value', deploy: false });
    await api.users.create({ name: 'fuzz-user', password: 'correct horse battery staple' });
    await api.users.grant('fuzz-user', { role: 'viewer', project: 'acme' });
    token = (await api.tokens.create({ name: 'fuzz-owner' })).secret;
  }, 120_000);

  afterAll(async () => {
    agent.destroy();
    await slipwayd.destroy();
  });

  it('answers every one without a 5xx, with a coded error for every refusal, and changes nothing', async () => {
    const before = await snapshot();
    const batchSize = 16;
    const batches = 640;
    const counts = { sent: 0, refused: 0, readsAnswered: 0, writesAccepted: 0, byStatus: new Map<number, number>() };
    const problems: string[] = [];
    const codes = new Set<string>(errorCodes);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fuzzRequest({ deploymentId, token }), { minLength: batchSize, maxLength: batchSize }),
        async (batch) => {
          const answers = await Promise.all(batch.map((fuzz) => send(slipwayd.apiPort, fuzz)));
          answers.forEach((answer, i) => {
            const fuzz = batch[i];
            if (fuzz === undefined) return;
            counts.sent += 1;
            counts.byStatus.set(answer.status, (counts.byStatus.get(answer.status) ?? 0) + 1);
            const where = describeRequest(fuzz);
            if (answer.status >= 500) problems.push(`${answer.status} for ${where}: ${answer.body.slice(0, 300)}`);
            if (answer.status < 400) {
              // A read may ignore its defect (a GET body is not read); it changes nothing either way.
              if (fuzz.method === 'GET' || fuzz.method === 'HEAD') counts.readsAnswered += 1;
              else {
                counts.writesAccepted += 1;
                problems.push(`accepted (${answer.status}) despite defect: ${where}`);
              }
              return;
            }
            counts.refused += 1;
            if (fuzz.method === 'HEAD') return;
            let code: unknown;
            try {
              const parsed = JSON.parse(answer.body) as {
                error?: { code?: unknown; message?: unknown; requestId?: unknown };
              };
              code = parsed.error?.code;
              if (typeof parsed.error?.message !== 'string' || typeof parsed.error.requestId !== 'string')
                code = undefined;
            } catch {
              code = undefined;
            }
            if (typeof code !== 'string' || !codes.has(code)) {
              problems.push(`uncoded ${answer.status} for ${where}: ${answer.body.slice(0, 200)}`);
            }
          });
          // Only collects: every batch runs, and the problems are reported below, readably, not as a counterexample.
          return true;
        },
      ),
      { numRuns: batches },
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(counts.sent).toBeGreaterThanOrEqual(10_000);
    expect(counts.writesAccepted).toBe(0);
    expect(counts.refused + counts.readsAnswered).toBe(counts.sent);
    // Still alive, and nothing changed.
    expect((await slipwayd.api.health()).status).toBe('ok');
    expect(await snapshot()).toEqual(before);
  }, 600_000);
});
