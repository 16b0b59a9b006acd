/**
 * Identity at start: a signing key exists (created on first start), ended sessions are pruned, and on the very first
 * start the owner account is created with its admin token written to `<dataDir>/admin-token` (mode 0600) — the
 * token is never logged; the CLI on this machine reads it from there.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@slipway/atomic-file';
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
  // Mode 0600, atomically: a reader never sees a partial token, a crash never leaves one.
  await writeFileAtomic(file, `${created.secret}\n`, { mode: 0o600 });
  identity.logger.info(
    { user: created.userName, file },
    'first start: owner account created; its admin token is in the file (mode 0600), used by the CLI on this machine',
  );
}
