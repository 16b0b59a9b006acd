/** Sizes written as people write them in `slipway.yaml` and compose files (`256m`, `1.5GiB`, `512MB`, 1048576). */

const unitBytes: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  ki: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Bytes of a size: a number is bytes; a string is a number with an optional unit, binary as Docker reads them
 * (`m` and `MB` are both MiB). Undefined when the text is not a size.
 */
export function parseByteSize(size: number | string): number | undefined {
  if (typeof size === 'number') return Number.isFinite(size) && size >= 0 ? Math.floor(size) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(size);
  if (match === null) return undefined;
  const factor = unitBytes[(match[2] ?? '').toLowerCase()];
  return factor === undefined ? undefined : Math.floor(Number(match[1]) * factor);
}

/** A size for people, to a tenth of its unit: `256.0 MiB`, `1.5 GiB`, `900 B`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, factor] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    // One precision everywhere (usage, limits, images): a tenth of the unit.
    if (bytes >= factor) return `${(bytes / factor).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}
