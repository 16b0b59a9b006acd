/** How the CLI writes for people and for scripts: lines, aligned tables, JSON, and colour only on a terminal that wants it. */

/** Where text goes; `process.stdout` fits, and so does a test's capture. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

export interface Output {
  readonly isColor: boolean;
  readonly style: Styles;
  line(text?: string): void;
  /** Pretty-printed JSON and a newline: the whole stdout of a `--json` command. */
  json(value: unknown): void;
  /** One JSON document per line, for streams (`logs -f --json`). */
  jsonLine(value: unknown): void;
  table(columns: readonly string[], rows: ReadonlyArray<readonly string[]>): void;
  /** `key  value` lines with the values aligned, keys dimmed. */
  fields(pairs: ReadonlyArray<readonly [string, string]>): void;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Colour when writing to a terminal, unless `NO_COLOR` is set (https://no-color.org) or the terminal is dumb; `FORCE_COLOR` wins. */
export function isColorWanted(sink: TextSink, env: Env): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return sink.isTTY === true;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function createStyles(isColor: boolean): Styles {
  if (!isColor) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

// eslint-disable-next-line no-control-regex -- matching the escape sequences we emit is the point
const ansiPattern = /\u001b\[[0-9;]*m/g;

/** Width of a cell as shown: escape sequences take no room. */
export function visibleLength(text: string): number {
  return [...text.replace(ansiPattern, '')].length;
}

/** Renders rows under headers, columns padded to their widest cell and separated by two spaces; no trailing spaces. */
export function renderTable(columns: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [columns, ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((row) => visibleLength(row[i] ?? ''))));
  return all
    .map((row) =>
      columns
        .map((_, i) => {
          const cell = row[i] ?? '';
          return i === columns.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell));
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export function createOutput(sink: TextSink, env: Env): Output {
  const isColor = isColorWanted(sink, env);
  const style = createStyles(isColor);
  return {
    isColor,
    style,
    line: (text = '') => sink.write(`${text}\n`),
    json: (value) => sink.write(`${JSON.stringify(value, null, 2)}\n`),
    jsonLine: (value) => sink.write(`${JSON.stringify(value)}\n`),
    table: (columns, rows) =>
      sink.write(
        renderTable(
          columns.map((c) => style.bold(c)),
          rows,
        ),
      ),
    fields: (pairs) => {
      const width = Math.max(0, ...pairs.map(([key]) => visibleLength(key)));
      for (const [key, value] of pairs) sink.write(`${style.dim(key.padEnd(width))}  ${value}\n`);
    },
  };
}

/** `2026-01-02T03:04:05.000Z` → `2026-01-02 03:04Z`: short, sortable and unambiguous. */
export function formatTimestamp(iso: string | null): string {
  if (iso === null) return '-';
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : iso;
}

/** Seconds with one decimal, as in `✓ build 12.3s`. */
export function formatDurationMs(durationMs: number): string {
  return `${(Math.max(0, durationMs) / 1000).toFixed(1)}s`;
}
