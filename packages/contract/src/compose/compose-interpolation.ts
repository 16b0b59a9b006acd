/** Variable interpolation (`${VAR}`, `${VAR:-default}`, `$$`) and `.env` files, read the way docker compose reads them. */

/** Finds a variable's value; `undefined` when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

/** A problem found while interpolating or reading an env file, with where it is (`services.web.image`, `.env:3`). */
export interface InterpolationIssue {
  path: string;
  message: string;
}

/** What interpolation reports beside its result: unset variables (compose warns and uses "") and errors. */
export interface InterpolationReport {
  issues: InterpolationIssue[];
  /** Names of variables that were used unset, each with where it was first used. */
  unset: Map<string, string>;
}

export function createInterpolationReport(): InterpolationReport {
  return { issues: [], unset: new Map() };
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*/;
const escapeHint = 'escape a literal "$" as "$$"';

/** Index of the `}` closing the `${` that starts at `open`, counting nested `${…}`; -1 when there is none. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '$' && text[i + 1] === '$') i += 1;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth += 1;
      i += 1;
    } else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The operators of a braced expression, longest first so `:-` wins over `-`. */
const operators = [':-', ':?', ':+', '-', '?', '+'] as const;

/**
 * Replaces the variables of one string. `${VAR:-x}`/`${VAR-x}` default when unset-or-empty/unset, `${VAR:?msg}`/
 * `${VAR?msg}` are errors then, `${VAR:+x}`/`${VAR+x}` give x when set; defaults may hold variables themselves.
 * An unset variable without a default becomes "" and is reported; a `$` that starts nothing is an error.
 */
export function interpolateString(
  text: string,
  lookup: VariableLookup,
  path: string,
  report: InterpolationReport,
): string {
  let result = '';
  let i = 0;
  const valueOf = (name: string): string => {
    const value = lookup(name);
    if (value === undefined) {
      if (!report.unset.has(name)) report.unset.set(name, path);
      return '';
    }
    return value;
  };
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      result += text.slice(i);
      break;
    }
    result += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      result += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(text, dollar);
      if (close === -1) {
        report.issues.push({ path, message: `"\${" is not closed by "}" (${escapeHint})` });
        return result + text.slice(dollar);
      }
      result += braced(text.slice(dollar + 2, close));
      i = close + 1;
      continue;
    }
    const name = namePattern.exec(text.slice(dollar + 1))?.[0];
    if (name === undefined) {
      report.issues.push({
        path,
        message: `invalid interpolation at "${text.slice(dollar, dollar + 8)}": ${escapeHint}`,
      });
      result += '$';
      i = dollar + 1;
      continue;
    }
    result += valueOf(name);
    i = dollar + 1 + name.length;
  }
  return result;

  function braced(expression: string): string {
    const name = namePattern.exec(expression)?.[0];
    const rest = name === undefined ? expression : expression.slice(name.length);
    if (name === undefined || (rest !== '' && !operators.some((o) => rest.startsWith(o)))) {
      report.issues.push({
        path,
        message: `invalid interpolation "\${${expression}}": expected \${NAME}, \${NAME:-default} or \${NAME:?error}`,
      });
      return '';
    }
    if (rest === '') return valueOf(name);
    const operator = operators.find((o) => rest.startsWith(o)) ?? '-';
    const argument = rest.slice(operator.length);
    const value = lookup(name);
    const isSet = operator.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    const nested = () => interpolateString(argument, lookup, path, report);
    switch (operator) {
      case ':-':
      case '-':
        return isSet ? (value ?? '') : nested();
      case ':+':
      case '+':
        return isSet ? nested() : '';
      case ':?':
      case '?':
        if (isSet) return value ?? '';
        report.issues.push({
          path,
          message: `required variable ${name} is ${value === undefined ? 'not set' : 'empty'}${argument === '' ? '' : `: ${nested()}`}`,
        });
        return '';
    }
  }
}

/** Interpolates every string value of a parsed YAML tree (keys are left as written, as compose does). */
export function interpolateTree(
  value: unknown,
  lookup: VariableLookup,
  path: string,
  report: InterpolationReport,
): unknown {
  if (typeof value === 'string') return interpolateString(value, lookup, path, report);
  if (Array.isArray(value)) return value.map((item, i) => interpolateTree(item, lookup, `${path}[${i}]`, report));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Extension fields (`x-…`) hold anchors and free text; compose leaves them alone, and so do we.
      out[key] = key.startsWith('x-')
        ? item
        : interpolateTree(item, lookup, path === '' ? key : `${path}.${key}`, report);
    }
    return out;
  }
  return value;
}

const doubleQuoteEscapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$$' };

/**
 * Parses an env file (`.env`, `env_file:`): `KEY=VALUE` lines, `export` allowed, `#` comments, values single-quoted
 * (literal), double-quoted (escapes, may span lines) or bare (trimmed, ` #` starts a comment). Values other than
 * single-quoted ones are interpolated with earlier keys of the file, then `lookup`. A `KEY` alone takes its value
 * from `lookup` (left out when unset).
 */
export function parseEnvFile(
  text: string,
  source: string,
  lookup: VariableLookup,
  report: InterpolationReport,
): Record<string, string> {
  const values: Record<string, string> = {};
  const resolve: VariableLookup = (name) => (Object.hasOwn(values, name) ? values[name] : lookup(name));
  let i = 0;
  let line = 1;
  const lineEnd = (from: number) => {
    const end = text.indexOf('\n', from);
    return end === -1 ? text.length : end;
  };
  while (i < text.length) {
    const end = lineEnd(i);
    const raw = text.slice(i, end).replace(/\r$/, '');
    const trimmed = raw.trim();
    const here = `${source}:${line}`;
    if (trimmed === '' || trimmed.startsWith('#')) {
      i = end + 1;
      line += 1;
      continue;
    }
    const body = trimmed.replace(/^export\s+/, '');
    const equals = body.indexOf('=');
    const key = (equals === -1 ? body : body.slice(0, equals)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      report.issues.push({ path: here, message: `"${key}" is not a variable name` });
      i = end + 1;
      line += 1;
      continue;
    }
    if (equals === -1) {
      const value = lookup(key);
      if (value !== undefined) values[key] = value;
      i = end + 1;
      line += 1;
      continue;
    }
    // Where the value starts in `text`, so a quoted value may run over several lines.
    const valueStart = i + raw.indexOf('=') + 1;
    let cursor = valueStart;
    while (text[cursor] === ' ' || text[cursor] === '\t') cursor += 1;
    const quote = text[cursor];
    if (quote === "'" || quote === '"') {
      const close = findClosingQuote(text, cursor + 1, quote);
      if (close === -1) {
        report.issues.push({ path: here, message: `the value of ${key} opens a ${quote} quote that is never closed` });
        break;
      }
      const inner = text.slice(cursor + 1, close);
      values[key] =
        quote === "'"
          ? inner
          : interpolateString(
              inner.replace(/\\(.)/g, (match, c: string) => doubleQuoteEscapes[c] ?? match),
              resolve,
              here,
              report,
            );
      line += (text.slice(i, close).match(/\n/g) ?? []).length;
      const after = lineEnd(close);
      const trailing = text.slice(close + 1, after).trim();
      if (trailing !== '' && !trailing.startsWith('#'))
        report.issues.push({ path: here, message: `unexpected text after the quoted value of ${key}: "${trailing}"` });
      i = after + 1;
      line += 1;
      continue;
    }
    const bare = text.slice(valueStart, end).replace(/\r$/, '');
    values[key] = interpolateString(bare.replace(/\s+#.*$/, '').trim(), resolve, here, report);
    i = end + 1;
    line += 1;
  }
  return values;
}

function findClosingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) return i;
  }
  return -1;
}
