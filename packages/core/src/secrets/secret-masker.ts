/** Masks secret values in text a deployment stores or shows (build output, phase details, failure reasons). */

/** What a masked value is replaced with. */
export const secretMask = '***';

/**
 * Values shorter than this are not masked: replacing every `1` or `on` would garble the output and tell nothing
 * about the value anyway. A secret that short is not a secret worth the name.
 */
export const minMaskedLength = 4;

export type SecretMasker = (text: string) => string;

/** No secret to mask: the text as it is. */
export const noMasking: SecretMasker = (text) => text;

/**
 * A masker for `values`: each occurrence of a value, and of each line of a multi-line value (output is read line by
 * line), becomes `***`. Longer values are replaced first, so a value containing another is masked whole.
 */
export function createSecretMasker(values: Iterable<string>): SecretMasker {
  const needles = new Set<string>();
  for (const value of values) {
    for (const part of [value, ...value.split(/\r?\n/)]) {
      if (part.length >= minMaskedLength) needles.add(part);
    }
  }
  if (needles.size === 0) return noMasking;
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = text;
    for (const needle of ordered) {
      if (masked.includes(needle)) masked = masked.split(needle).join(secretMask);
    }
    return masked;
  };
}
