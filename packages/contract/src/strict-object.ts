/**
 * A zod object that refuses keys it does not know, naming each with the closest known key: a typo in a manifest
 * (`replica`, `healthcheck`, `comand`) is an error at its place, never a setting silently ignored.
 */
import { z } from 'zod';

/**
 * `misplaced` names keys that belong to a sibling variant (`path` on a tcp health check) with what to do instead, so
 * the message says where the key belongs rather than that it is unknown.
 */
export function strictObject<Shape extends z.ZodRawShape>(
  shape: Shape,
  misplaced: Readonly<Record<string, string>> = {},
) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys
            .map((key) =>
              Object.hasOwn(misplaced, key)
                ? `"${key}" does not belong here: ${misplaced[key]}`
                : unknownKeyMessage(key, known),
            )
            .join('; ')
        : undefined,
  });
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const hint = closestName(key, known);
  return `unknown key "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`;
}

/** The known name a mistyped one most likely meant: same letters in another case, or at most two edits away. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance <= Math.min(2, Math.floor(candidate.length / 3)) && (best === undefined || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance; names are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
