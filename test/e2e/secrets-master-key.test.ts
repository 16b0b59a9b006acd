/**
 * Where the master key comes from, against a real slipwayd: a key file others may read is refused before anything
 * starts; the wrong key is refused; a key given in SLIPWAY_MASTER_KEY is rotated to by a restart with the old key in
 * SLIPWAY_PREVIOUS_MASTER_KEYS, never through the API, and nothing slipwayd starts inherits it. Narrated step by
 * step because each step depends on the one before.
 */
import { createHash } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMasterKey, generateMasterKey } from '@slipway/adapters';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const token = `sentinel-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('the master key', () => {
  let slipwayd: SlipwaydHarness;
  const fileKey = generateMasterKey();
  const environmentKey = generateMasterKey();
  const keyFile = () => join(slipwayd.dataDir, 'master.key');
  const app = async () => JSON.parse((await slipwayd.edge('keyed.localhost')).body) as Record<string, unknown>;
  /** Starts slipwayd and resolves its startup failure, or undefined when it started. */
  const startFailure = async (env: Record<string, string> = {}): Promise<string | undefined> => {
    slipwayd.output = '';
    try {
      await slipwayd.start({ env });
      return undefined;
    } catch {
      return slipwayd.output;
    }
  };
  const wrappingKeyIds = (): string[] => {
    const db = new SqliteDatabase(join(slipwayd.dataDir, 'slipway.db'), { readonly: true });
    try {
      const rows = db.prepare('select master_key_id from data_keys').all() as { master_key_id: string }[];
      return rows.map((row) => row.master_key_id);
    } finally {
      db.close();
    }
  };
  const environOf = async (pid: number): Promise<string> => readFile(`/proc/${pid}/environ`, 'utf8');

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('refuses to start with a key file group or others may read, before opening the store', async () => {
    await writeFile(keyFile(), `${encodeMasterKey(fileKey)}\n`, { mode: 0o644 });
    await chmod(keyFile(), 0o644);

    const failure = await startFailure();

    expect(failure).toContain('MASTER_KEY_INSECURE');
    expect(failure).toContain(`chmod 600 ${keyFile()}`);
    await expect(stat(join(slipwayd.dataDir, 'slipway.db'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('starts once the file is private, and seals a secret under a data key wrapped by that key', async () => {
    await chmod(keyFile(), 0o600);
    expect(await startFailure()).toBeUndefined();

    expect((await slipwayd.cli(['apps', 'create', 'keyed'])).code).toBe(0);
    const set = await slipwayd.cli(['secrets', 'set', 'keyed', '--from-stdin', 'API_TOKEN'], { input: token });
    expect(set.code, set.stderr).toBe(0);
    const deploy = await slipwayd.cli(['deploy', 'keyed', '--path', join(fixturesDir, 'secret-echo')]);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    await waitFor(async () => expect(await app()).toMatchObject({ sha256: sha256(token) }));
    expect(wrappingKeyIds()).toEqual([fileKey.id]);
  });

  it('refuses to start with a key the data keys are not wrapped by, naming both key ids', async () => {
    await slipwayd.kill('SIGTERM');

    const failure = await startFailure({ SLIPWAY_MASTER_KEY: encodeMasterKey(environmentKey) });

    expect(failure).toContain('MASTER_KEY_INVALID');
    expect(failure).toContain(fileKey.id);
    expect(failure).toContain(environmentKey.id);
    expect(failure).not.toContain(encodeMasterKey(environmentKey));
  });

  it('moves to a key given in SLIPWAY_MASTER_KEY by a restart with the old one in SLIPWAY_PREVIOUS_MASTER_KEYS', async () => {
    const poller = slipwayd.pollEdge('keyed.localhost');
    const failure = await startFailure({
      SLIPWAY_MASTER_KEY: encodeMasterKey(environmentKey),
      SLIPWAY_PREVIOUS_MASTER_KEYS: encodeMasterKey(fileKey),
    });
    expect(failure).toBeUndefined();
    const load = await poller.stop();
    expect(load.failures, load.samples.join('; ')).toBe(0);

    expect(wrappingKeyIds()).toEqual([environmentKey.id]);
    expect(await app()).toMatchObject({ sha256: sha256(token) });
    // A release rolled out under the new key opens the secret too.
    const answer = await slipwayd.api.secrets.set('keyed', 'API_TOKEN', { value: `${token}-2` });
    expect((await slipwayd.settle(answer.deploymentId ?? '')).state).toBe('succeeded');
    await waitFor(async () => expect(await app()).toMatchObject({ sha256: sha256(`${token}-2`) }));
  });

  it('passes the key to nothing it starts: the edge and the instances never see it', async () => {
    const edgePidFile = join(slipwayd.dataDir, 'edge', 'edge.pid');
    const oldEdgePid = Number((await readFile(edgePidFile, 'utf8')).trim());
    process.kill(oldEdgePid, 'SIGKILL');
    // The watchdog starts a new edge, from this slipwayd, which holds the key in SLIPWAY_MASTER_KEY.
    const newEdgePid = await waitFor(async () => {
      const pid = Number((await readFile(edgePidFile, 'utf8')).trim());
      expect(pid).not.toBe(oldEdgePid);
      await environOf(pid);
      return pid;
    });
    const [instance] = (await slipwayd.api.instances.list('keyed')).instances;

    for (const pid of [newEdgePid, instance?.pid ?? 0]) {
      const environ = await environOf(pid);
      expect(environ).not.toContain('SLIPWAY_MASTER_KEY');
      expect(environ).not.toContain(encodeMasterKey(environmentKey));
    }
  });

  it('refuses to rotate a key from SLIPWAY_MASTER_KEY through the API, and starts on it alone afterwards', async () => {
    const rotate = await slipwayd.cli(['secrets', 'rotate-master-key']);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('MASTER_KEY_NOT_ROTATABLE');

    await slipwayd.kill('SIGTERM');
    expect(await startFailure({ SLIPWAY_MASTER_KEY: encodeMasterKey(environmentKey) })).toBeUndefined();
    expect((await slipwayd.api.secrets.list('keyed')).secrets).toMatchObject([{ name: 'API_TOKEN', version: 2 }]);
  });
});
