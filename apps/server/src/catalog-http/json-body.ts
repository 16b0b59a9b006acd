/**
 * JSON request bodies as Consul decodes them: keys case-insensitive (and snake_case accepted), unknown keys and
 * wrong types refused with 400 `Request decode failed: …`, nothing read past the body limit the listener enforces.
 */
import { badRequest, type CatalogHttpError } from './catalog-http-error.js';

const normalize = (key: string): string => key.replaceAll('_', '').toLowerCase();

const decodeFailed = (what: string): CatalogHttpError => badRequest(`Request decode failed: ${what}`);

/** A decoded JSON object whose fields are read by their Consul names in any case. */
export class JsonFields {
  private readonly fields: Map<string, unknown>;
  private readonly where: string;

  constructor(value: unknown, allowed: readonly string[], where = '') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw decodeFailed(`${where === '' ? 'the body' : where} must be a JSON object`);
    }
    this.where = where;
    this.fields = new Map();
    const known = new Set(allowed.map(normalize));
    const unknown: string[] = [];
    for (const [key, field] of Object.entries(value)) {
      const name = normalize(key);
      if (!known.has(name)) unknown.push(key);
      else this.fields.set(name, field);
    }
    if (unknown.length > 0) {
      throw decodeFailed(`'${where}' has invalid keys: ${unknown.map((key) => key.slice(0, 64)).join(', ')}`);
    }
  }

  /** Parses a body; an empty body is `{}`. */
  static parse(body: Buffer, allowed: readonly string[]): JsonFields {
    if (body.length === 0) return new JsonFields({}, allowed);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw decodeFailed('the body is not valid JSON');
    }
    return new JsonFields(value, allowed);
  }

  private raw(name: string): unknown {
    const value = this.fields.get(normalize(name));
    return value === null ? undefined : value;
  }

  private wrong(name: string, expected: string): CatalogHttpError {
    const path = this.where === '' ? name : `${this.where}.${name}`;
    return decodeFailed(`'${path}' expected ${expected}`);
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.wrong(name, 'a string');
    return value;
  }

  /** A non-negative integer below 2^53 (Consul's ints and uint64s). */
  integer(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw this.wrong(name, 'a non-negative integer');
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.wrong(name, 'a boolean');
    return value;
  }

  strings(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.wrong(name, 'a list of strings');
    }
    return value;
  }

  stringMap(name: string): Record<string, string> | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.values(value as Record<string, unknown>).every((v) => typeof v === 'string')
    ) {
      throw this.wrong(name, 'a map of strings');
    }
    return { ...(value as Record<string, string>) };
  }

  /** A nested object, read with its own allowed keys. */
  object(name: string, allowed: readonly string[]): JsonFields | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    return new JsonFields(value, allowed, this.where === '' ? name : `${this.where}.${name}`);
  }

  /** A list of nested objects. */
  objects(name: string, allowed: readonly string[]): JsonFields[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.wrong(name, 'a list');
    return value.map((item, position) => new JsonFields(item, allowed, `${name}[${position}]`));
  }

  /** The value as sent (for fields with several shapes). */
  any(name: string): unknown {
    return this.raw(name);
  }
}
