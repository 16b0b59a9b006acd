/**
 * Who may route on a host: exactly one project. A host is claimed by an app's creation (its default host), by the
 * first deployment that routes on it, or by an admin's grant; a wildcard claim covers every host under it, so a
 * project's `*.example.com` and another's `api.example.com` cannot both stand. Hosts under the default domain and
 * one-label wildcards are never claimed by first use: they are app names' (or an admin's to give).
 */
import { SlipwayError } from '@slipway/contract';
import type { HostClaimRecord } from './records.js';
import type { Repositories } from '../ports/store.js';

/** `default`: an app's own host; `route`: a host a deployment routes on; `grant`: an admin gives it. */
export type HostClaimKind = 'default' | 'route' | 'grant';

export interface HostClaimRequest {
  host: string;
  projectId: string;
  kind: HostClaimKind;
  /** The app whose default host it is (`default` only). */
  appId?: string;
}

/** `check` reads only (an early refusal); `claim` also writes what is missing (inside the deciding transaction). */
export type HostClaimMode = 'check' | 'claim';

/** The host, then every wildcard that would serve it at the edge (`*.b.c` and `*.c` for `a.b.c` and for `*.b.c`). */
export function coveringHosts(host: string): string[] {
  const base = host.startsWith('*.') ? host.slice(2) : host;
  const hosts = [host];
  for (let dot = base.indexOf('.'); dot !== -1; dot = base.indexOf('.', dot + 1))
    hosts.push(`*.${base.slice(dot + 1)}`);
  return hosts;
}

/** Hosts no deployment claims on first use: the default domain and under it, and wildcards of one label or over it. */
export function isReservedHost(host: string, defaultDomain: string): boolean {
  const isUnder = (name: string, suffix: string) => name === suffix || name.endsWith(`.${suffix}`);
  if (isUnder(host, defaultDomain)) return true;
  if (!host.startsWith('*.')) return false;
  const base = host.slice(2);
  return !base.includes('.') || isUnder(defaultDomain, base);
}

const takenError = (host: string): SlipwayError =>
  new SlipwayError(
    'HOST_TAKEN',
    `host "${host}" belongs to another project (or a wildcard of another project covers it); an admin can free it with slipway hosts revoke`,
    { details: { host } },
  );

/**
 * Refuses a host another project holds (exactly, by a wildcard over it, or under the wildcard asked for) and a
 * reserved host not yet this project's; in `claim` mode records the claim the project lacks. Returns the claim the
 * project holds afterwards (`undefined` in `check` mode when it would be new).
 * Errors: `HOST_TAKEN`, `HOST_RESERVED`.
 */
export async function claimHost(
  tx: Repositories,
  settings: { defaultDomain: string },
  request: HostClaimRequest,
  mode: HostClaimMode,
  nowMs: number,
): Promise<HostClaimRecord | undefined> {
  const { host, projectId } = request;
  const overlapping = [
    ...(await tx.hostClaims.listByHosts(coveringHosts(host))),
    ...(host.startsWith('*.') ? await tx.hostClaims.listUnder(host.slice(2)) : []),
  ];
  if (overlapping.some((claim) => claim.projectId !== projectId)) throw takenError(host);
  const own = overlapping.find((claim) => claim.host === host);
  if (own !== undefined) {
    if (request.kind !== 'grant' || own.origin === 'granted' || mode === 'check') return own;
    const granted: HostClaimRecord = { ...own, origin: 'granted', appId: null };
    await tx.hostClaims.update(granted);
    return granted;
  }
  if (request.kind === 'route' && isReservedHost(host, settings.defaultDomain)) {
    throw new SlipwayError(
      'HOST_RESERVED',
      `host "${host}" is reserved: hosts under ${settings.defaultDomain} belong to the app of that name, and broad wildcards are granted by an admin (slipway hosts grant)`,
      { details: { host } },
    );
  }
  if (mode === 'check') return undefined;
  const record: HostClaimRecord = {
    host,
    projectId,
    origin: request.kind === 'default' ? 'default' : request.kind === 'route' ? 'first-use' : 'granted',
    appId: request.kind === 'default' ? (request.appId ?? null) : null,
    createdAtMs: nowMs,
  };
  await tx.hostClaims.insert(record);
  return record;
}
