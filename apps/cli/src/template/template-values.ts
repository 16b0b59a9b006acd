/**
 * The values a template handles, with Go's rules: records (plain objects, whose unknown fields are errors), maps
 * (`Map`, whose missing keys are empty), lists, strings, numbers, booleans and nil; truth, printing and comparison.
 */

export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly TemplateValue[]
  | ReadonlyMap<string, TemplateValue>
  | { readonly [field: string]: TemplateValue };

/** Go's truth: false, 0, nil, the empty string and empty lists and maps are false. */
export function isTruthy(value: TemplateValue): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  return true;
}

/** How `{{ value }}` prints, as Go's fmt `%v` does for these types. */
export function printValue(value: TemplateValue): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item: TemplateValue) => printValue(item)).join(' ')}]`;
  if (value instanceof Map) {
    const keys = [...(value as ReadonlyMap<string, TemplateValue>).keys()].sort();
    return `map[${keys.map((key) => `${key}:${printValue((value as ReadonlyMap<string, TemplateValue>).get(key))}`).join(' ')}]`;
  }
  const record = value as Record<string, TemplateValue>;
  return `{${Object.keys(record)
    .map((key) => printValue(record[key]))
    .join(' ')}}`;
}

/** Converts a value to plain JSON data (maps become objects with sorted keys). */
export function toJsonData(value: TemplateValue): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map((item: TemplateValue) => toJsonData(item));
  if (value instanceof Map) {
    const map = value as ReadonlyMap<string, TemplateValue>;
    return Object.fromEntries([...map.keys()].sort().map((key) => [key, toJsonData(map.get(key))]));
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, TemplateValue>;
    return Object.fromEntries(Object.keys(record).map((key) => [key, toJsonData(record[key])]));
  }
  return value;
}

/** Converts parsed JSON into template values: objects become maps (any key may be asked for). */
export function fromJsonData(data: unknown): TemplateValue {
  if (data === null || data === undefined) return null;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return data;
  if (Array.isArray(data)) return data.map((item) => fromJsonData(item));
  if (typeof data === 'object') {
    return new Map(Object.entries(data as Record<string, unknown>).map(([key, item]) => [key, fromJsonData(item)]));
  }
  return null;
}

export function describeType(value: TemplateValue): string {
  if (value === undefined || value === null) return 'nil';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'map';
  return typeof value === 'object' ? 'record' : typeof value;
}

/** `.Field` of a value: a record's field (unknown → error), a map's entry (missing → `<no value>`), nil's field → nil. */
export function fieldOf(value: TemplateValue, name: string): { value: TemplateValue } | { error: string } {
  if (value === null || value === undefined) return { value: undefined };
  if (value instanceof Map) return { value: (value as ReadonlyMap<string, TemplateValue>).get(name) };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, TemplateValue>;
    if (Object.hasOwn(record, name)) return { value: record[name] };
    const known = Object.keys(record).join(', ');
    return { error: `can't evaluate field ${name} (the fields are ${known})` };
  }
  return { error: `can't evaluate field ${name} in a ${describeType(value)}` };
}

/** Equality of basic values, as Go's `eq`: lists, maps and records are not comparable. */
export function basicEquals(left: TemplateValue, right: TemplateValue): boolean | undefined {
  const isBasic = (v: TemplateValue) => v === null || v === undefined || typeof v !== 'object';
  if (!isBasic(left) || !isBasic(right)) return undefined;
  return (left ?? null) === (right ?? null);
}
