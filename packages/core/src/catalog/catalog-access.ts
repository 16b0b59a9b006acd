/**
 * Who may do what in the catalog (docs/catalog.md, Access): the token a request carries (`X-Consul-Token`, `?token=`,
 * `Authorization: Bearer`) is one of Slipway's own (an API token or a session's access token), and catalog ACL rules
 * per KV prefix and per service prefix grant it read, write or deny. The longest matching prefix wins; an admin may
 * do everything; anything not granted is denied, except the anonymous reads slipwayd is configured to allow.
 */

export type CatalogResource =
  | { kind: 'key'; key: string }
  /** A list or recursive operation under a prefix: allowed only when the whole prefix is. */
  | { kind: 'key-prefix'; prefix: string }
  | { kind: 'service'; name: string }
  | { kind: 'node'; name: string }
  | { kind: 'session' }
  /** Status, agent self/members, metrics, snapshots, maintenance of the node. */
  | { kind: 'operator' };

export type CatalogAccessLevel = 'read' | 'write';

/** The rights of one request's token, resolved once per request. */
export interface CatalogAuthority {
  /** Who it is, for logs and audit (never the token): a user name, `token:<id>`, or `anonymous`. */
  readonly actor: string;
  /** True for an admin (and for script checks, which only admins may register). */
  readonly isAdmin: boolean;
  can(resource: CatalogResource, access: CatalogAccessLevel): boolean;
  /** Filters what a read returns to what it may read (Consul filters lists rather than refusing them). */
  canSeeService(name: string): boolean;
  canSeeKey(key: string): boolean;
}

export interface CatalogAccess {
  /**
   * Resolves a request's token (undefined when none was sent). An unknown, expired or revoked token rejects with
   * `CATALOG_ACL_NOT_FOUND` (Consul answers 403 `ACL not found`).
   */
  authorize(token: string | undefined): Promise<CatalogAuthority>;
}
