/** A count with its noun agreeing: `1 key`, `2 keys`, `0 routes` — for every message that counts something. */
export function countNoun(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
