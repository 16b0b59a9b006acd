/**
 * Secrets end to end, against a real slipwayd: a sentinel value set through the CLI (from stdin) reaches the app as
 * an env var, and is found nowhere else — not in API answers, slipwayd's log, deployment events, the SQLite file
 * (and its WAL), nor anywhere in the data dir. Then the master key is rotated while the app keeps running.
 * Narrated step by step because each step depends on the one before.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAesGcmSecretCipher,
  createMemoryMasterKeyring,
  decodeMasterKey,
  type MasterKey,
} from '@slipway/adapters';
import type { DataKeyRecord } from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { filesUnder } from './files-under.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const sentinel = `sentinel-${randomBytes(12).toString('hex')}`;
const second = `sentinel-${randomBytes(12).toString('hex')}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The forms a leaked value would take in text or bytes. */
const forms = (value: string): Buffer[] => [
  Buffer.from(value),
  Buffer.from(Buffer.from(value).toString('base64')),
  Buffer.from(Buffer.from(value).toString('hex')),
];

describe('secrets end to end', () => {
  let slipwayd: SlipwaydHarness;
  /** Every API answer and CLI output of the run, scanned for the sentinels at the end. */
  const seen: string[] = [];
  const record = <T>(answer: T): T => {
    seen.push(JSON.stringify(answer));
    return answer;
  };
  const cli = async (args: string[], input?: string) => {
    const result = await slipwayd.cli(args, input === undefined ? {} : { input });
    seen.push(result.stdout, result.stderr);
    return result;
  };
  const app = async () => JSON.parse((await slipwayd.edge('vault.localhost')).body) as Record<string, unknown>;
  const masterKeyFile = () => join(slipwayd.dataDir, 'master.key');
  const readMasterKey = async (): Promise<MasterKey> =>
    decodeMasterKey(await readFile(masterKeyFile(), 'utf8'), 'master.key');

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    // Everything slipwayd logs, down to debug, is scanned.
    await slipwayd.start({ logLevel: 'debug' });
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('creates the master key file on first start, private to its owner', async () => {
    expect((await lstat(masterKeyFile())).mode & 0o777).toBe(0o600);
  });

  it('sets a secret from stdin before the first deploy; listing shows its name and version only', async () => {
    expect((await cli(['apps', 'create', 'vault'])).code).toBe(0);
    const set = await cli(['secrets', 'set', 'vault', '--from-stdin', 'API_TOKEN'], `${sentinel}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('set API_TOKEN on vault');

    const list = await cli(['secrets', 'list', 'vault', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ secrets: [{ name: 'API_TOKEN', version: 1 }] });
  });

  it('gives the app the secret as an env var at start, and the build sees it masked in its output', async () => {
    const deploy = await cli(['deploy', 'vault', '--path', join(fixturesDir, 'secret-echo')]);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain('build sees API_TOKEN=***');

    await waitFor(async () => expect(await app()).toMatchObject({ hasToken: true, sha256: sha256(sentinel) }));
    // The one place the value belongs: the instance's own environment.
    const [instance] = record(await slipwayd.api.instances.list('vault')).instances;
    const environ = await readFile(`/proc/${instance?.pid ?? 0}/environ`, 'utf8');
    expect(environ.split('\0')).toContain(`API_TOKEN=${sentinel}`);
  });

  it('rolls a changed secret out as a new release (PUT), like a config change', async () => {
    const answer = record(await slipwayd.api.secrets.set('vault', 'API_TOKEN', { value: second }));
    expect(answer.secrets).toMatchObject([{ name: 'API_TOKEN', version: 2 }]);
    expect(answer.deploymentId).not.toBeNull();
    const deployment = record(await slipwayd.settle(answer.deploymentId ?? ''));
    expect(deployment).toMatchObject({ kind: 'config', state: 'succeeded', releaseNumber: 2 });

    await waitFor(async () => expect(await app()).toMatchObject({ sha256: sha256(second), release: '2' }));
  });

  it('rotates the master key without downtime: the app keeps serving, the old key opens nothing', async () => {
    const oldKey = await readMasterKey();
    const poller = slipwayd.pollEdge('vault.localhost');

    const rotated = await cli(['secrets', 'rotate-master-key', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKey = await readMasterKey();
    expect(JSON.parse(rotated.stdout)).toEqual({ masterKeyId: newKey.id, rewrappedDataKeys: 1 });
    expect(newKey.id).not.toBe(oldKey.id);
    expect((await lstat(masterKeyFile())).mode & 0o777).toBe(0o600);

    // Straight from the store: every data key is wrapped by the new key; the old key cannot open the secret.
    const db = new SqliteDatabase(join(slipwayd.dataDir, 'slipway.db'), { readonly: true });
    try {
      const row = db.prepare('select * from data_keys').get() as Record<string, string | number>;
      const secret = db.prepare('select * from secrets').get() as Record<string, string | number>;
      const dataKey: DataKeyRecord = {
        id: String(row['id']),
        appId: String(row['app_id']),
        environmentId: String(row['environment_id']),
        wrappedKey: String(row['wrapped_key']),
        masterKeyId: String(row['master_key_id']),
        createdAtMs: Number(row['created_at_ms']),
        wrappedAtMs: Number(row['wrapped_at_ms']),
      };
      expect(dataKey.masterKeyId).toBe(newKey.id);
      const context = { appId: dataKey.appId, environmentId: dataKey.environmentId, name: 'API_TOKEN', version: 2 };
      const sealed = {
        dataKeyId: dataKey.id,
        nonce: String(secret['nonce']),
        ciphertext: String(secret['ciphertext']),
      };
      const withNew = createAesGcmSecretCipher({ keyring: createMemoryMasterKeyring(newKey) });
      expect(withNew.open(dataKey, context, sealed)).toBe(second);
      const withOld = createAesGcmSecretCipher({ keyring: createMemoryMasterKeyring(oldKey) });
      expect(() => withOld.open({ ...dataKey, masterKeyId: oldKey.id }, context, sealed)).toThrow(
        expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
      );
    } finally {
      db.close();
    }
    const load = await poller.stop();
    expect(load.requests).toBeGreaterThan(0);
    expect(load.failures, load.samples.join('; ')).toBe(0);

    // An instance started after the rotation opens the secret under the new key.
    const [instance] = record(await slipwayd.api.instances.list('vault')).instances;
    process.kill(instance?.pid ?? 0, 'SIGKILL');
    await waitFor(
      async () => {
        const [restarted] = (await slipwayd.api.instances.list('vault')).instances;
        expect(restarted).toMatchObject({ restarts: 1, state: 'healthy' });
      },
      { timeoutMs: 20_000 },
    );
    await waitFor(async () => expect(await app()).toMatchObject({ sha256: sha256(second) }));
  });

  it('keeps the secrets readable after a restart of slipwayd on the rotated key, and unsets one (DELETE)', async () => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ logLevel: 'debug' });

    const answer = record(await slipwayd.api.secrets.unset('vault', 'API_TOKEN'));
    expect(answer.secrets).toEqual([]);
    record(await slipwayd.settle(answer.deploymentId ?? ''));
    await waitFor(async () => expect(await app()).toMatchObject({ hasToken: false, release: '3' }));
  });

  it('leaves the value nowhere but in the instance: not in answers, logs, events, the store or the data dir', async () => {
    // The values did reach an instance's own environment (the one place they belong) while it ran: checked above.
    // Everything the API shows about the app.
    record(await slipwayd.api.apps.get('vault'));
    record(await slipwayd.api.status());
    record(await slipwayd.api.config.get('vault'));
    record(await slipwayd.api.secrets.list('vault'));
    record(await slipwayd.api.releases.list('vault'));
    record(await slipwayd.api.instances.list('vault'));
    record(await slipwayd.api.logs.get('vault', { tail: 1000 }));
    const { deployments } = record(await slipwayd.api.deployments.list('vault', { limit: 100 }));
    expect(deployments).toHaveLength(3);
    for (const deployment of deployments) {
      record(await slipwayd.api.deployments.get(deployment.id));
      const events = [];
      for await (const event of slipwayd.api.deployments.events(deployment.id)) events.push(event);
      record(events);
    }
    const texts = [...seen, slipwayd.output].join('\n');
    const files = await filesUnder(slipwayd.dataDir);
    expect(files.map((f) => f.slice(slipwayd.dataDir.length))).toEqual(
      expect.arrayContaining(['/slipway.db', '/slipway.db-wal', '/master.key']),
    );

    for (const value of [sentinel, second]) {
      for (const form of forms(value)) {
        expect(texts.includes(form.toString()), `${form.toString()} in API answers or the slipwayd log`).toBe(false);
        for (const file of files) {
          expect((await readFile(file)).includes(form), `${form.toString()} in ${file}`).toBe(false);
        }
      }
    }
    // The scan would have seen them: the masked build line is there, and so is the secret's name.
    expect(texts).toContain('build sees API_TOKEN=***');
    expect(texts).toContain('API_TOKEN');
  });
});
