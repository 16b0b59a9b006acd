/** How steps and traffic matches read in status (`pause 5m`, `header x-canary = "always"`): short, and the same everywhere. */
import type { TrafficMatch } from '@slipway/contract';

/** `90s`, `5m`, `1h30m`, `2d`: whole units, the largest that fit. */
export function formatWaitSeconds(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  if (seconds <= 0) return '0s';
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** `header x-canary = "always"`, `header x-user prefix "tester-"`, `header x-user regex "^t"`, `cookie beta = "yes"`. */
export function describeTrafficMatch(match: TrafficMatch): string {
  if ('cookie' in match) return `cookie ${match.cookie} = ${JSON.stringify(match.value)}`;
  const operator = match.kind === 'exact' ? '=' : match.kind;
  return `header ${match.header} ${operator} ${JSON.stringify(match.value)}`;
}
