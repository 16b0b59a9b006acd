/** The times `slipway logs --since/--until` and the logs API take: a duration back from now (`90s`, `15m`, `1h`, `2d`) or an ISO 8601 time. */
import { z } from 'zod';

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const durationPattern = /^(\d{1,9})(ms|s|m|h|d)$/;
/** An ISO 8601 date-time (with a zone) or date. */
const isoPattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** A duration's length in ms (`15m` → 900000), or undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * (unitMs[match[2] ?? ''] ?? 0);
}

/** The time (ms since the epoch) a `since`/`until` value names, or undefined when it names none. */
export function logTimeMs(text: string, nowMs: number): number | undefined {
  const duration = durationMs(text);
  if (duration !== undefined) return nowMs - duration;
  if (!isoPattern.test(text)) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export const logTimeSchema = z
  .string()
  .max(40)
  .refine((text) => logTimeMs(text, 0) !== undefined, 'a duration (90s, 15m, 1h, 2d) or an ISO 8601 time');

/** A duration for settings (`7d`, `12h`); also the ms as digits. */
export const durationTextSchema = z
  .string()
  .max(20)
  .refine((text) => durationMs(text) !== undefined || /^\d{1,15}$/.test(text), 'a duration such as 12h or 7d');
