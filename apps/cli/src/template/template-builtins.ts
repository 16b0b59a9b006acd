/**
 * The functions every template has besides the catalog's (docs/templates.md): Go's comparisons and logic, `len`,
 * `index`, `print`/`printf`, and a few string and JSON helpers shaped for pipes (the piped value comes last).
 */
import { TemplateFunctionError } from './template-error.js';
import type { TemplateFunctions } from './template-evaluator.js';
import {
  basicEquals,
  describeType,
  fromJsonData,
  isTruthy,
  printValue,
  toJsonData,
  type TemplateValue,
} from './template-values.js';

const fail = (message: string): never => {
  throw new TemplateFunctionError(message);
};

const text = (value: TemplateValue, what: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`${what} must be a string, not a ${describeType(value)}`);
};

const list = (value: TemplateValue, what: string): readonly TemplateValue[] => {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value as readonly TemplateValue[];
  return fail(`${what} must be a list, not a ${describeType(value)}`);
};

const compare = (name: string, test: (order: number) => boolean) => (left: TemplateValue, right: TemplateValue) => {
  if (typeof left === 'number' && typeof right === 'number') return test(left - right);
  if (typeof left === 'string' && typeof right === 'string') return test(left < right ? -1 : left > right ? 1 : 0);
  return fail(`${name} compares two numbers or two strings, not a ${describeType(left)} and a ${describeType(right)}`);
};

/** Go's fmt verbs, the common ones: %s %v %d %f %q %x %t %%. */
export function formatPrintf(format: string, args: readonly TemplateValue[]): string {
  let argIndex = 0;
  return format.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([svdfqxXt%])/g,
    (_match, flags: string, width, precision, verb) => {
      if (verb === '%') return '%';
      if (argIndex >= args.length) return `%!${verb as string}(MISSING)`;
      const arg = args[argIndex];
      argIndex += 1;
      let out: string;
      switch (verb as string) {
        case 'd':
          out = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${printValue(arg)})`;
          break;
        case 'f':
          out =
            typeof arg === 'number'
              ? arg.toFixed(precision === undefined ? 6 : Number(precision))
              : `%!f(${printValue(arg)})`;
          break;
        case 'q':
          out = JSON.stringify(printValue(arg));
          break;
        case 'x':
        case 'X': {
          const hex =
            typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(printValue(arg)).toString('hex');
          out = verb === 'X' ? hex.toUpperCase() : hex;
          break;
        }
        default:
          out = printValue(arg);
      }
      if (width !== undefined) {
        const size = Number(width);
        out = flags.includes('-') ? out.padEnd(size) : out.padStart(size, flags.includes('0') ? '0' : ' ');
      }
      return out;
    },
  );
}

export const builtinFunctions: TemplateFunctions = {
  and: (...args) => args.find((arg) => !isTruthy(arg)) ?? args.at(-1) ?? fail('and needs an argument'),
  or: (...args) => args.find((arg) => isTruthy(arg)) ?? args.at(-1) ?? fail('or needs an argument'),
  not: (value) => !isTruthy(value),
  eq: (first, ...others) => {
    if (others.length === 0) return fail('eq needs two arguments at least');
    return others.some((other) => basicEquals(first, other) ?? fail('eq compares basic values only'));
  },
  ne: (left, right) => !(basicEquals(left, right) ?? fail('ne compares basic values only')),
  lt: compare('lt', (order) => order < 0),
  le: compare('le', (order) => order <= 0),
  gt: compare('gt', (order) => order > 0),
  ge: compare('ge', (order) => order >= 0),
  len: (value) => {
    if (typeof value === 'string') return [...value].length;
    if (Array.isArray(value)) return value.length;
    if (value instanceof Map) return value.size;
    return fail(`len of a ${describeType(value)}`);
  },
  index: (collection, ...keys) => {
    let current = collection;
    for (const key of keys) {
      if (Array.isArray(current) && typeof key === 'number') current = (current as TemplateValue[])[key];
      else if (current instanceof Map && typeof key === 'string')
        current = (current as ReadonlyMap<string, TemplateValue>).get(key);
      else if (current === null || current === undefined) current = undefined;
      else return fail(`can't index a ${describeType(current)} with a ${describeType(key)}`);
    }
    return current;
  },
  print: (...args) => args.map((arg) => printValue(arg)).join(''),
  println: (...args) => `${args.map((arg) => printValue(arg)).join(' ')}\n`,
  printf: (format, ...args) => formatPrintf(text(format, 'the format'), args),
  join: (separator, items) =>
    list(items, "join's list")
      .map((item) => printValue(item))
      .join(text(separator, 'the separator')),
  split: (separator, value) => text(value, 'the value').split(text(separator, 'the separator')),
  toUpper: (value) => text(value, 'the value').toUpperCase(),
  toLower: (value) => text(value, 'the value').toLowerCase(),
  trimSpace: (value) => text(value, 'the value').trim(),
  replaceAll: (from, to, value) =>
    text(value, 'the value').replaceAll(text(from, 'the text replaced'), text(to, 'the replacement')),
  contains: (needle, haystack) => {
    if (typeof haystack === 'string') return haystack.includes(text(needle, 'the text looked for'));
    return list(haystack, "contains' list").some((item) => basicEquals(item, needle) === true);
  },
  hasPrefix: (prefix, value) => text(value, 'the value').startsWith(text(prefix, 'the prefix')),
  hasSuffix: (suffix, value) => text(value, 'the value').endsWith(text(suffix, 'the suffix')),
  toJSON: (value) => JSON.stringify(toJsonData(value)),
  toJSONPretty: (value) => JSON.stringify(toJsonData(value), null, 2),
  parseJSON: (value) => {
    try {
      return fromJsonData(JSON.parse(text(value, 'the JSON')));
    } catch (error) {
      if (error instanceof TemplateFunctionError) throw error;
      return fail(`not JSON: ${(error as Error).message}`);
    }
  },
  base64Encode: (value) => Buffer.from(text(value, 'the value')).toString('base64'),
  base64Decode: (value) => Buffer.from(text(value, 'the value'), 'base64').toString('utf8'),
};
