/** Quotes one word for `/bin/sh` so paths with spaces or quotes survive in generated commands. */

/** Leaves plain words bare (readable commands) and single-quotes everything else. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
