/**
 * Identity at start: a signing key exists (created on first start), ended sessions are pruned, and on the very first
 * start the owner account is created with its admin token written to `<dataDir>/admin-token` (mode 0600) — the
 * token is never logged; the CLI on this machine reads it from there.
 */
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bootstrapOwner, type IdentityDeps } from '@slipway/core';

/** Name of the admin token file in the data dir. */
export const adminTokenFileName = 'admin-token';

export async function prepareIdentity(identity: IdentityDeps, dataDir: string): Promise<void> {
  await identity.signer.ensureKey();
  const pruned = await identity.store.sessions.deleteEnded(identity.clock.nowMs());
  if (pruned > 0) identity.logger.info({ sessions: pruned }, 'ended sessions pruned');
  const created = await bootstrapOwner(identity);
  if (created === undefined) return;
  const file = join(dataDir, adminTokenFileName);
  await writeSecretFile(file, `${created.secret}\n`);
  identity.logger.info(
    { user: created.userName, file },
    'first start: owner account created; its admin token is in the file (mode 0600), used by the CLI on this machine',
  );
}

/** Writes `content` to `file` with mode 0600, atomically (a reader never sees a partial token). */
async function writeSecretFile(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content, { mode: 0o600, flag: 'w' });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
