/**
 * How previews are named and addressed, deterministically: environment `pr-<n>`, host `pr-<n>.<app>.<domain>`, and a
 * per-commit alias `<sha7>--pr-<n>.<app>.<domain>` that never serves another commit. Every label is a DNS label
 * (RFC 1035 §2.3.4: at most 63 octets): a longer one is cut and ends with a hash of the whole, so two long names
 * that share a prefix still differ.
 */
import { createHash } from 'node:crypto';

export const maxDnsLabelLength = 63;
const hashLength = 6;
const previewEnvironmentPattern = /^pr-([1-9][0-9]{0,9})$/;

/** `text` as one DNS label: lowercase letters, digits and inner dashes, at most 63 characters. */
export function dnsLabel(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const label = cleaned === '' ? 'x' : cleaned;
  if (label.length <= maxDnsLabelLength) return label;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, hashLength);
  const kept = label.slice(0, maxDnsLabelLength - hashLength - 1).replace(/-+$/, '');
  return `${kept}-${hash}`;
}

export function previewEnvironmentName(number: number): string {
  return `pr-${number}`;
}

/** The pull request number of a preview environment's name; undefined for any other environment. */
export function previewNumberOf(environmentName: string): number | undefined {
  const match = previewEnvironmentPattern.exec(environmentName);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function isPreviewEnvironment(environmentName: string): boolean {
  return previewNumberOf(environmentName) !== undefined;
}

/** The suffix every host of the app's previews ends with: `<app>.<domain>`. */
export function previewHostSuffix(appName: string, previewDomain: string): string {
  return `${dnsLabel(appName)}.${previewDomain}`;
}

/** `pr-<n>.<app>.<domain>`: where the preview of pull request `number` answers, whatever its commit. */
export function previewHost(appName: string, number: number, previewDomain: string): string {
  return `${dnsLabel(previewEnvironmentName(number))}.${previewHostSuffix(appName, previewDomain)}`;
}

/** `<sha7>--pr-<n>.<app>.<domain>`: answers while the preview serves that commit, and never for another one. */
export function previewAliasHost(appName: string, number: number, commit: string, previewDomain: string): string {
  const label = dnsLabel(`${commit.slice(0, 7)}--${previewEnvironmentName(number)}`);
  return `${label}.${previewHostSuffix(appName, previewDomain)}`;
}

/** True for the preview host of `number` and for any of its per-commit aliases. */
export function isPreviewHostOf(host: string, appName: string, number: number, previewDomain: string): boolean {
  const suffix = `.${previewHostSuffix(appName, previewDomain)}`;
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, -suffix.length);
  const name = previewEnvironmentName(number);
  return label === name || (/^[0-9a-f]{7}--/.test(label) && label.slice(9) === name);
}
