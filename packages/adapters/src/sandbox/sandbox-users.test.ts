import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxUsers } from './sandbox-users.js';

describe('sandbox users', () => {
  let dir = '';
  let file = '';
  const noAccounts = async (): Promise<ReadonlySet<number>> => new Set();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-sandbox-users-'));
    file = join(dir, 'sandbox-users.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each scope its own uid, with a group of the same number, and the same one again', async () => {
    const users = createSandboxUsers({ file, uidRange: { from: 5_000, to: 5_009 }, readTakenUids: noAccounts });

    const [alpha, beta, alphaAgain] = await Promise.all([
      users.ensure('alpha'),
      users.ensure('beta'),
      users.ensure('alpha'),
    ]);

    expect(alpha).toEqual({ uid: 5_000, gid: 5_000 });
    expect(beta).toEqual({ uid: 5_001, gid: 5_001 });
    expect(alphaAgain).toEqual(alpha);
  });

  it('keeps the allocation in its file, so a later control plane gives the same uids', async () => {
    const first = createSandboxUsers({ file, uidRange: { from: 5_000, to: 5_009 }, readTakenUids: noAccounts });
    await first.ensure('alpha');
    await first.ensure('beta');

    const second = createSandboxUsers({ file, uidRange: { from: 5_000, to: 5_009 }, readTakenUids: noAccounts });

    expect(await second.ensure('beta')).toEqual({ uid: 5_001, gid: 5_001 });
    expect(await second.ensure('gamma')).toEqual({ uid: 5_002, gid: 5_002 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      users: { alpha: 5_000, beta: 5_001, gamma: 5_002 },
    });
  });

  it("never hands out a uid of the machine's accounts", async () => {
    const users = createSandboxUsers({
      file,
      uidRange: { from: 5_000, to: 5_009 },
      readTakenUids: async () => new Set([5_000, 5_001]),
    });

    expect(await users.ensure('alpha')).toEqual({ uid: 5_002, gid: 5_002 });
  });

  it('refuses a scope when the range is used up, with RUNTIME_UNAVAILABLE', async () => {
    const users = createSandboxUsers({ file, uidRange: { from: 5_000, to: 5_000 }, readTakenUids: noAccounts });
    await users.ensure('alpha');

    await expect(users.ensure('beta')).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
    expect(await users.ensure('alpha')).toEqual({ uid: 5_000, gid: 5_000 });
  });

  it('refuses to guess when its record is damaged, rather than give a scope another uid', async () => {
    const users = createSandboxUsers({ file, uidRange: { from: 5_000, to: 5_009 }, readTakenUids: noAccounts });
    for (const damaged of [JSON.stringify({ version: 1, users: { alpha: 'root' } }), '{"version": 1, "us']) {
      await writeFile(file, damaged);

      await expect(users.ensure('alpha')).rejects.toMatchObject({ code: 'INTERNAL' });
    }
  });
});
