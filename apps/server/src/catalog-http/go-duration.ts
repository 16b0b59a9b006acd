/**
 * Go's `time.ParseDuration` syntax, which Consul uses for `wait`, check intervals and timeouts and session TTLs:
 * a sign, then one or more decimal numbers each followed by a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), or `0`.
 */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 MICRO SIGN
  μs: 1e-3, // U+03BC GREEK SMALL LETTER MU
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// The micro signs escaped: one character above U+00FF in the bundle makes V8 hold all of its source as UTF-16.
const part = /^(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;

/** The duration in milliseconds (fractional below 1 ms), or undefined when the text is not a Go duration. */
export function parseGoDurationMs(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let totalMs = 0;
  while (rest !== '') {
    const match = part.exec(rest);
    if (match === null) return undefined;
    const [whole, amount = '', unit = ''] = match;
    const factor = unitMs[unit];
    if (factor === undefined) return undefined;
    totalMs += Number(amount) * factor;
    rest = rest.slice(whole.length);
  }
  // Go's Duration is an int64 of nanoseconds: about 292 years.
  if (!Number.isFinite(totalMs) || totalMs > 9.2e15) return undefined;
  return sign * totalMs;
}
