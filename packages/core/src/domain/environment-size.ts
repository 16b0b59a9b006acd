/**
 * Bounds what one app environment's config and secrets add up to: every instance gets them all as environment
 * variables, and Linux refuses to start a program whose arguments and environment pass 2 MiB (E2BIG), so an
 * unbounded config would make every later start fail, long after the write that caused it.
 */
import { SlipwayError } from '@slipway/contract';
import type { SecretRecord } from './secret-records.js';

/** Names and values of config and secrets together; leaves room for the manifest's env and Slipway's own variables. */
export const maxEnvironmentBytes = 1024 * 1024;

const encoder = new TextEncoder();
const sizeOf = (text: string): number => encoder.encode(text).length;

/**
 * Errors: `CONFIG_TOO_LARGE`. `secrets` are the stored records (a sealed value's ciphertext is at least as long as the
 * value, so it stands for it without opening it); `newSecretValues` are values being written now, by name.
 */
export function assertEnvironmentFits(
  config: Readonly<Record<string, string>>,
  secrets: readonly SecretRecord[],
  newSecretValues: Readonly<Record<string, string>> = {},
): void {
  let totalBytes = 0;
  for (const [name, value] of Object.entries(config)) totalBytes += sizeOf(name) + sizeOf(value) + 2;
  const names = new Set([
    ...secrets.filter((s) => s.sealed !== null).map((s) => s.name),
    ...Object.keys(newSecretValues),
  ]);
  for (const name of names) {
    const fresh = newSecretValues[name];
    const stored = secrets.find((s) => s.name === name)?.sealed;
    totalBytes += sizeOf(name) + 2 + (fresh !== undefined ? sizeOf(fresh) : (stored?.ciphertext.length ?? 0));
  }
  if (totalBytes > maxEnvironmentBytes) {
    throw new SlipwayError(
      'CONFIG_TOO_LARGE',
      `config and secrets would add up to ${totalBytes} bytes, more than the limit of ${maxEnvironmentBytes}: ` +
        'instances get them as environment variables, which the system caps',
      { details: { totalBytes, maxEnvironmentBytes } },
    );
  }
}
