/**
 * `createCatalogAccess`: resolves the token of a catalog request to Slipway's own identity (an API token or a
 * session's access token, checked against the store on every request, so a revoked token is refused at once) and to
 * its catalog ACL rules, and evaluates them (catalog-acl-authority.ts).
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
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
}

/** Tokens longer than this are refused without a look-up (ours are far shorter). */
export const catalogTokenMaxLength = 4096;

/** Consul's well-known anonymous token id: clients that send it mean "no token". */
const consulAnonymousTokenId = '00000000-0000-0000-0000-000000000002';

const aclNotFound = (): SlipwayError => new SlipwayError('CATALOG_ACL_NOT_FOUND', 'ACL not found');

/** The subjects whose rules apply to a principal: its user and, for an API token, the token itself. */
export function catalogAclSubjectsOf(principal: Principal): CatalogAclSubject[] {
  const subjects: CatalogAclSubject[] = [{ kind: 'user', id: principal.userId }];
  if (principal.credential.kind === 'api-token') subjects.push({ kind: 'token', id: principal.credential.id });
  return subjects;
}

/** The catalog's access: `authorize` once per request, then ask the authority per resource. */
export function createCatalogAccess(deps: CatalogAccessDeps): CatalogAccess {
  const { identity, anonymousRead } = deps;
  const anonymous = createCatalogAuthority({
    actor: 'anonymous',
    isAuthenticated: false,
    isAdmin: false,
    mayWrite: false,
    rules: [],
    anonymousRead,
  });

  const resolve = async (token: string): Promise<Principal> => {
    if (token.length > catalogTokenMaxLength || /\s/.test(token)) throw aclNotFound();
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

  return {
    async authorize(token): Promise<CatalogAuthority> {
      if (token === undefined || token === '' || token === 'anonymous' || token === consulAnonymousTokenId) {
        return anonymous;
      }
      const principal = await resolve(token);
      const actor = principal.credential.kind === 'api-token' ? `token:${principal.credential.id}` : principal.userName;
      const isAdmin = hasRole(principal, null, 'admin');
      const rules = isAdmin
        ? []
        : await identity.store.catalogAclRules.listForSubjects(catalogAclSubjectsOf(principal));
      const mayWrite = rules.some((rule) => rule.policy === 'write') && (await credentialMayWrite(principal));
      return createCatalogAuthority({ actor, isAuthenticated: true, isAdmin, mayWrite, rules, anonymousRead });
    },
  };
}
