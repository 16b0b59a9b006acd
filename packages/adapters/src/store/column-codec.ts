/** Converts domain values to their column forms and back: JSON as text, bigint epoch ms as numbers. */

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Trusts the column: it only ever holds what `toJson` wrote from a value of type `T`. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toNullableJson(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

export function fromNullableJson<T>(text: string | null): T | null {
  return text === null ? null : fromJson<T>(text);
}

/** PostgreSQL's driver returns `bigint` as a string (it may exceed 2^53); epoch ms never do. */
export function fromBigInt(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

export function fromNullableBigInt(value: number | string | null): number | null {
  return value === null ? null : fromBigInt(value);
}
