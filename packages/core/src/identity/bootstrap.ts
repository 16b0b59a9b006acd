/** First start: with no user yet, create the owner account and an API token with the owner's rights (the admin token). */
import type { ApiTokenRecord, UserRecord } from './identity-records.js';
import { apiTokenPrefix, type IdentityDeps } from './identity-deps.js';

/** The name of the owner account created on first start. */
export const bootstrapOwnerName = 'admin';
/** The name of its token. */
export const bootstrapTokenName = 'admin-token';

export interface BootstrapResult {
  readonly userName: string;
  readonly tokenId: string;
  /** The admin token's secret: to be written where only the operator can read it, and nowhere else. */
  readonly secret: string;
}

/**
 * Creates the owner `admin` (no password: set one with `slipway users set-password`) and its admin token, when the
 * store has no user; otherwise does nothing and returns `undefined`. Atomic: a second slipwayd never creates another.
 */
export async function bootstrapOwner(deps: IdentityDeps): Promise<BootstrapResult | undefined> {
  const secret = deps.tokens.generate(apiTokenPrefix);
  const nowMs = deps.clock.nowMs();
  const user: UserRecord = {
    id: deps.ids.next('usr'),
    name: bootstrapOwnerName,
    passwordHash: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  const token: ApiTokenRecord = {
    id: deps.ids.next('tok'),
    userId: user.id,
    name: bootstrapTokenName,
    tokenHash: deps.tokens.hash(secret),
    projectId: null,
    maxRole: null,
    createdAtMs: nowMs,
    expiresAtMs: null,
    lastUsedAtMs: null,
    revokedAtMs: null,
  };
  const isCreated = await deps.store.transaction(async (tx) => {
    if ((await tx.users.count()) > 0) return false;
    await tx.users.insert(user);
    await tx.users.putGrant({ userId: user.id, projectId: null, role: 'owner', createdAtMs: nowMs });
    await tx.apiTokens.insert(token);
    return true;
  });
  if (!isCreated) return undefined;
  deps.logger.info({ user: user.name, tokenId: token.id }, 'owner account created');
  return { userName: user.name, tokenId: token.id, secret };
}
