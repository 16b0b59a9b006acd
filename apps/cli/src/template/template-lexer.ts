/**
 * Splits a template into text and the tokens of its `{{ actions }}`, Go text/template style: `{{-` and `-}}` (with a
 * space beside the dash) trim the whitespace of the text before and after, and `{{/* … *\/}}` is a comment.
 */
import { createPositionIndex, TemplateError, type PositionIndex } from './template-error.js';

export type TokenKind =
  | 'text'
  | 'open'
  | 'close'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma';

export interface Token {
  kind: TokenKind;
  /** The token's value: the text, a string's decoded contents, a field's name without its dot. */
  value: string;
  /** Offset in the source. */
  offset: number;
}

export interface LexedTemplate {
  tokens: Token[];
  positions: PositionIndex;
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with']);
const whitespace = /\s/;
const identifierStart = /[A-Za-z_]/;
const identifierPart = /[A-Za-z0-9_]/;

export function lexTemplate(name: string, source: string): LexedTemplate {
  const positions = createPositionIndex(source);
  const fail = (offset: number, reason: string): never => {
    throw new TemplateError(name, positions.at(offset), reason);
  };
  const tokens: Token[] = [];
  let offset = 0;
  let isTrimmingNextText = false;

  const pushText = (text: string, at: number) => {
    let value = isTrimmingNextText ? text.trimStart() : text;
    isTrimmingNextText = false;
    const end = at + text.length;
    if (/^\{\{-\s/.test(source.slice(end, end + 4))) value = value.trimEnd();
    if (value !== '') tokens.push({ kind: 'text', value, offset: at });
  };

  while (offset < source.length) {
    const open = source.indexOf('{{', offset);
    if (open === -1) {
      pushText(source.slice(offset), offset);
      break;
    }
    pushText(source.slice(offset, open), offset);
    let cursor = open + 2;
    if (source[cursor] === '-' && whitespace.test(source[cursor + 1] ?? '')) cursor += 1;

    // A comment is a whole action: {{/* … */}}, with optional trim markers.
    const afterSpace = skipSpace(source, cursor);
    if (source.startsWith('/*', afterSpace)) {
      const end = source.indexOf('*/', afterSpace + 2);
      if (end === -1) fail(open, 'unclosed comment');
      const closeAt = skipSpace(source, end + 2);
      const trimClose = source.startsWith('-}}', closeAt);
      if (!trimClose && !source.startsWith('}}', closeAt)) fail(end, 'comment ends with */ directly before }}');
      isTrimmingNextText = trimClose;
      offset = closeAt + (trimClose ? 3 : 2);
      continue;
    }

    tokens.push({ kind: 'open', value: '{{', offset: open });
    for (;;) {
      cursor = skipSpace(source, cursor);
      if (cursor >= source.length) fail(open, 'unclosed action: missing }}');
      if (source.startsWith('-}}', cursor) && whitespace.test(source[cursor - 1] ?? '')) {
        tokens.push({ kind: 'close', value: '}}', offset: cursor });
        isTrimmingNextText = true;
        cursor += 3;
        break;
      }
      if (source.startsWith('}}', cursor)) {
        tokens.push({ kind: 'close', value: '}}', offset: cursor });
        cursor += 2;
        break;
      }
      cursor = lexActionToken(source, cursor, tokens, fail);
    }
    offset = cursor;
  }
  return { tokens, positions };
}

function skipSpace(source: string, from: number): number {
  let cursor = from;
  while (cursor < source.length && whitespace.test(source[cursor] ?? '') && !source.startsWith('}}', cursor)) {
    cursor += 1;
  }
  return cursor;
}

/** Lexes the one token at `start` inside an action and returns the offset after it. */
function lexActionToken(
  source: string,
  start: number,
  tokens: Token[],
  fail: (offset: number, reason: string) => never,
): number {
  const char = source[start] ?? '';
  const push = (kind: TokenKind, value: string, end: number): number => {
    tokens.push({ kind, value, offset: start });
    return end;
  };
  if (char === '|') return push('pipe', '|', start + 1);
  if (char === '(') return push('leftParen', '(', start + 1);
  if (char === ')') return push('rightParen', ')', start + 1);
  if (char === ',') return push('comma', ',', start + 1);
  if (source.startsWith(':=', start)) return push('declare', ':=', start + 2);
  if (char === '=') return push('assign', '=', start + 1);
  if (char === '"') return lexQuoted(source, start, push, fail);
  if (char === '`') {
    const end = source.indexOf('`', start + 1);
    if (end === -1) fail(start, 'unterminated raw string');
    return push('string', source.slice(start + 1, end), end + 1);
  }
  if (char === '.' || char === '$') {
    let end = start + 1;
    while (end < source.length && identifierPart.test(source[end] ?? '')) end += 1;
    const name = source.slice(start + 1, end);
    if (char === '$') return push('variable', name, end);
    if (name === '') {
      if (/[0-9]/.test(source[start + 1] ?? '')) return lexNumber(source, start, push, fail);
      return push('dot', '.', end);
    }
    return push('field', name, end);
  }
  if (/[0-9+-]/.test(char)) return lexNumber(source, start, push, fail);
  if (identifierStart.test(char)) {
    let end = start + 1;
    while (end < source.length && identifierPart.test(source[end] ?? '')) end += 1;
    const word = source.slice(start, end);
    if (word === 'true' || word === 'false') return push('bool', word, end);
    if (word === 'nil') return push('nil', word, end);
    return push(keywords.has(word) ? 'keyword' : 'identifier', word, end);
  }
  return fail(start, `unexpected ${JSON.stringify(char)} in action`);
}

function lexNumber(
  source: string,
  start: number,
  push: (kind: TokenKind, value: string, end: number) => number,
  fail: (offset: number, reason: string) => never,
): number {
  const match = /^[+-]?(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(source.slice(start, start + 64));
  if (match === null || match[0] === '' || match[0] === '+' || match[0] === '-') {
    return fail(start, `bad number syntax: ${JSON.stringify(source.slice(start, start + 8))}`);
  }
  const next = source[start + match[0].length] ?? '';
  if (identifierPart.test(next)) fail(start, `bad number syntax: ${JSON.stringify(match[0] + next)}`);
  return push('number', match[0], start + match[0].length);
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' };

function lexQuoted(
  source: string,
  start: number,
  push: (kind: TokenKind, value: string, end: number) => number,
  fail: (offset: number, reason: string) => never,
): number {
  let value = '';
  let cursor = start + 1;
  for (;;) {
    const char = source[cursor];
    if (char === undefined || char === '\n') return fail(start, 'unterminated quoted string');
    if (char === '"') return push('string', value, cursor + 1);
    if (char === '\\') {
      const escaped = source[cursor + 1] ?? '';
      if (escaped === 'u' || escaped === 'x') {
        const length = escaped === 'u' ? 4 : 2;
        const hex = source.slice(cursor + 2, cursor + 2 + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) fail(cursor, 'bad escape in quoted string');
        value += String.fromCodePoint(Number.parseInt(hex, 16));
        cursor += 2 + length;
        continue;
      }
      const decoded = escapes[escaped];
      if (decoded === undefined) fail(cursor, `unknown escape \\${escaped} in quoted string`);
      value += decoded;
      cursor += 2;
      continue;
    }
    value += char;
    cursor += 1;
  }
}
