/**
 * A release is code plus config: the config vars of the app environment it was made with (what `config list` shows
 * while it is current), merged over its manifest's `env`. These are the rules that keep the two in step.
 */
import type { Manifest } from '@slipway/contract';

type Vars = Readonly<Record<string, string>>;

/** What instances of a release see: the manifest's `env` under the app environment's config vars. */
export function mergeReleaseConfig(manifest: Pick<Manifest, 'env'>, configVars: Vars): Record<string, string> {
  return { ...manifest.env, ...configVars };
}

/**
 * The config vars of a release recorded before releases kept them apart: its config without the values that are
 * the manifest's own. A var set to the manifest's value cannot be told apart from it and reads as the manifest's.
 */
export function configVarsOf(config: Vars, manifest: Pick<Manifest, 'env'>): Record<string, string> {
  const env: Vars = manifest.env ?? {};
  return Object.fromEntries(Object.entries(config).filter(([key, value]) => env[key] !== value));
}

export function isSameConfig(a: Vars, b: Vars): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
}

/**
 * The desired config once a change failed to roll out: each key the change set (or removed) goes back to its value
 * in the stable release, unless someone changed it again since (its value is no longer the change's).
 */
export function revertConfigChange(desired: Vars, change: Vars, stable: Vars): Record<string, string> {
  const reverted: Record<string, string> = { ...desired };
  for (const key of new Set([...Object.keys(change), ...Object.keys(stable), ...Object.keys(desired)])) {
    if (desired[key] !== change[key]) continue;
    const value = stable[key];
    if (value === undefined) delete reverted[key];
    else reverted[key] = value;
  }
  return reverted;
}
