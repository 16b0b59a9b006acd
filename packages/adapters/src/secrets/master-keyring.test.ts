import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeMasterKey, encodeMasterKey, generateMasterKey } from './master-key.js';
import { pendingKeyFile } from './master-key-file.js';
import { loadMasterKeyring } from './master-keyring.js';

describe('master keyring', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-keyring-'));
    file = join(dir, 'data', 'master.key');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fileKey = async (path = file) => decodeMasterKey(await readFile(path, 'utf8'), path);

  it('creates the key file with a new key and mode 0600 on first start, and reads the same key after', async () => {
    const first = await loadMasterKeyring({ file });
    expect(first.source).toBe('file');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await fileKey()).id).toBe(first.current().id);

    const second = await loadMasterKeyring({ file });
    expect(second.current().id).toBe(first.current().id);
    expect(second.previousIds()).toEqual([]);
  });

  it.each([0o640, 0o604, 0o660, 0o644])(
    'refuses a key file with mode %s with MASTER_KEY_INSECURE, naming the fix',
    async (mode) => {
      await loadMasterKeyring({ file });
      await chmod(file, mode);
      const error = await loadMasterKeyring({ file }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MASTER_KEY_INSECURE' });
      expect((error as Error).message).toContain(`chmod 600 ${file}`);
    },
  );

  it('refuses a key file that does not hold the base64 of 32 bytes with MASTER_KEY_INVALID, without echoing it', async () => {
    await loadMasterKeyring({ file });
    await writeFile(file, 'c2hvcnQta2V5LXRleHQ=\n', { mode: 0o600 });
    const error = await loadMasterKeyring({ file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MASTER_KEY_INVALID' });
    expect((error as Error).message).not.toContain('c2hvcnQta2V5LXRleHQ=');
  });

  it('takes SLIPWAY_MASTER_KEY over the file, creates no file, and refuses to rotate it', async () => {
    const key = generateMasterKey();
    const keyring = await loadMasterKeyring({ file, environmentKey: encodeMasterKey(key) });

    expect(keyring.source).toBe('environment');
    expect(keyring.current().id).toBe(key.id);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(keyring.beginRotation()).rejects.toMatchObject({ code: 'MASTER_KEY_NOT_ROTATABLE' });
  });

  it('holds SLIPWAY_PREVIOUS_MASTER_KEYS for unwrapping until the rotation completes', async () => {
    const [current, old1, old2] = [generateMasterKey(), generateMasterKey(), generateMasterKey()];
    const keyring = await loadMasterKeyring({
      file,
      environmentKey: encodeMasterKey(current),
      previousEnvironmentKeys: `${encodeMasterKey(old1)}, ${encodeMasterKey(old2)}`,
    });

    expect(keyring.previousIds().sort()).toEqual([old1.id, old2.id].sort());
    expect(keyring.find(old1.id)?.key.equals(old1.key)).toBe(true);
    await keyring.completeRotation();
    expect(keyring.previousIds()).toEqual([]);
    expect(keyring.find(old1.id)).toBeUndefined();
  });

  it('refuses a malformed SLIPWAY_MASTER_KEY, or previous keys without a current one, with MASTER_KEY_INVALID', async () => {
    const error = await loadMasterKeyring({ file, environmentKey: 'not-a-key' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MASTER_KEY_INVALID' });
    expect((error as Error).message).toContain('SLIPWAY_MASTER_KEY');
    const old = encodeMasterKey(generateMasterKey());
    await expect(loadMasterKeyring({ file, previousEnvironmentKeys: old })).rejects.toMatchObject({
      code: 'MASTER_KEY_INVALID',
    });
  });

  it('rotates through a pending file: the old key stays on disk and usable until the rotation completes', async () => {
    const keyring = await loadMasterKeyring({ file });
    const old = keyring.current();

    const next = await keyring.beginRotation();
    expect(keyring.current().id).toBe(next.id);
    expect(keyring.find(old.id)).toBeDefined();
    expect((await fileKey()).id).toBe(old.id);
    expect((await fileKey(pendingKeyFile(file))).id).toBe(next.id);
    expect((await stat(pendingKeyFile(file))).mode & 0o777).toBe(0o600);

    await keyring.completeRotation();
    expect((await fileKey()).id).toBe(next.id);
    await expect(stat(pendingKeyFile(file))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(keyring.find(old.id)).toBeUndefined();
  });

  it('after a crash mid-rotation loads the pending key as current and the old one as previous', async () => {
    const keyring = await loadMasterKeyring({ file });
    const old = keyring.current();
    const next = await keyring.beginRotation();

    const restarted = await loadMasterKeyring({ file });

    expect(restarted.current().id).toBe(next.id);
    expect(restarted.previousIds()).toEqual([old.id]);
    await restarted.completeRotation();
    expect((await fileKey()).id).toBe(next.id);
  });
});
