/**
 * `createCatalogAccess`: resolves the token of a catalog request to Slipway's own identity (an API token or a
 * session's access token) and to its catalog ACL rules, and evaluates them (catalog-acl-authority.ts).
 *
 * Catalog reads are hot (a KV get is microseconds), and resolving a token costs several store reads, so a resolved
 * token is reused for at most `tokenCacheMs`. Any security event (a token revoked, a session ended, a role or a
 * catalog ACL rule changed) forgets every resolved token at once, so in-process changes apply to the next request;
 * the bound only matters for a change the events do not carry (an expiry, which the bound also caps).
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { SecurityEventSink } from '../audit/security-events.js';
import { authenticate } from '../identity/authenticate.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { hasRole, type Principal } from '../identity/principal.js';
import type { CatalogAccess, CatalogAuthority } from './catalog-access.js';
import { createCatalogAuthority } from './catalog-acl-authority.js';
import type { CatalogAclSubject, CatalogAnonymousRead } from './catalog-acl-records.js';

export interface CatalogAccessDeps {
  /** Resolves tokens; its store holds the rules (`catalogAclRules`). */
  readonly identity: IdentityDeps;
  /** `--catalog-anonymous-read`. */
  readonly anonymousRead: CatalogAnonymousRead;
  /** How long a resolved token is reused without asking the store (default 1 s; 0 resolves every request). */
  readonly tokenCacheMs?: number;
  /** How many resolved tokens are kept at most (default 10,000; the oldest goes first). */
  readonly tokenCacheMaxEntries?: number;
}

/** The catalog's access, and the hook that keeps its resolved tokens fresh. */
export interface CatalogAccessService extends CatalogAccess {
  /**
   * Forgets every resolved token. Chain it into `IdentityDeps.onSecurityEvent`, so a revocation or a rule change
   * applies to the very next request. Never throws.
   */
  readonly onSecurityEvent: SecurityEventSink;
  /**
   * The authority of a caller the API has already authenticated (a dashboard session, a bearer token): the same
   * rules and the same evaluation as a catalog request carrying that credential. Not cached (the API is not hot).
   */
  authorizePrincipal(principal: Principal): Promise<CatalogAuthority>;
}

/** Tokens longer than this are refused without a look-up (ours are far shorter). */
export const catalogTokenMaxLength = 4096;
export const defaultCatalogTokenCacheMs = 1_000;
const defaultTokenCacheMaxEntries = 10_000;

/** Consul's well-known anonymous token id: clients that send it mean "no token". */
const consulAnonymousTokenId = '00000000-0000-0000-0000-000000000002';

const aclNotFound = (): SlipwayError => new SlipwayError('CATALOG_ACL_NOT_FOUND', 'ACL not found');

/** The subjects whose rules apply to a principal: its user and, for an API token, the token itself. */
export function catalogAclSubjectsOf(principal: Principal): CatalogAclSubject[] {
  const subjects: CatalogAclSubject[] = [{ kind: 'user', id: principal.userId }];
  if (principal.credential.kind === 'api-token') subjects.push({ kind: 'token', id: principal.credential.id });
  return subjects;
}

interface Resolved {
  readonly authority: CatalogAuthority;
  readonly untilMs: number;
}

/** The catalog's access: `authorize` once per request, then ask the authority per resource. */
export function createCatalogAccess(deps: CatalogAccessDeps): CatalogAccessService {
  const { identity, anonymousRead } = deps;
  const cacheMs = deps.tokenCacheMs ?? defaultCatalogTokenCacheMs;
  const maxEntries = deps.tokenCacheMaxEntries ?? defaultTokenCacheMaxEntries;
  /** By the token's hash: the secrets themselves are kept nowhere. */
  const resolved = new Map<string, Resolved>();
  /** Bumped by every security event: a resolution that began before one is not kept. */
  let generation = 0;

  const anonymous = createCatalogAuthority({
    actor: 'anonymous',
    isAuthenticated: false,
    isAdmin: false,
    mayWrite: false,
    rules: [],
    anonymousRead,
  });

  const principalOf = async (token: string): Promise<Principal> => {
    try {
      return await authenticate(identity, `Bearer ${token}`);
    } catch (error) {
      if (isSlipwayError(error) && error.code === 'UNAUTHENTICATED') throw aclNotFound();
      throw error;
    }
  };

  /** An API token capped at viewer only reads, whatever rules its user holds. */
  const credentialMayWrite = async (principal: Principal): Promise<boolean> => {
    if (principal.credential.kind !== 'api-token') return true;
    const token = await identity.store.apiTokens.findById(principal.credential.id);
    return token !== undefined && token.maxRole !== 'viewer';
  };

  const authorityOf = async (principal: Principal): Promise<CatalogAuthority> => {
    const actor = principal.credential.kind === 'api-token' ? `token:${principal.credential.id}` : principal.userName;
    const isAdmin = hasRole(principal, null, 'admin');
    const rules = isAdmin ? [] : await identity.store.catalogAclRules.listForSubjects(catalogAclSubjectsOf(principal));
    const mayWrite = rules.some((rule) => rule.policy === 'write') && (await credentialMayWrite(principal));
    return createCatalogAuthority({ actor, isAuthenticated: true, isAdmin, mayWrite, rules, anonymousRead });
  };
  const resolve = async (token: string): Promise<CatalogAuthority> => authorityOf(await principalOf(token));

  return {
    async authorize(token): Promise<CatalogAuthority> {
      if (token === undefined || token === '' || token === 'anonymous' || token === consulAnonymousTokenId) {
        return anonymous;
      }
      if (token.length > catalogTokenMaxLength || /\s/.test(token)) throw aclNotFound();
      if (cacheMs <= 0) return resolve(token);
      const key = identity.tokens.hash(token);
      const nowMs = identity.clock.nowMs();
      const cached = resolved.get(key);
      if (cached !== undefined && cached.untilMs > nowMs) return cached.authority;
      resolved.delete(key);
      const startedAt = generation;
      const authority = await resolve(token);
      if (startedAt === generation) {
        if (resolved.size >= maxEntries) {
          const oldest = resolved.keys().next();
          if (oldest.done !== true) resolved.delete(oldest.value);
        }
        resolved.set(key, { authority, untilMs: nowMs + cacheMs });
      }
      return authority;
    },
    authorizePrincipal: authorityOf,
    onSecurityEvent: () => {
      generation += 1;
      resolved.clear();
    },
  };
}
