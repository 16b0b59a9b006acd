/**
 * How the Metrics tab tells its lines apart: a theme colour (a CSS variable of styles.css, so dark and light each get
 * theirs) and a dash pattern, so that colour is never the only difference. The chart and its legend share them.
 */
const colours = ['--accent', '--magenta', '--cyan', '--warn', '--ok', '--bad'] as const;
const dashes: readonly (readonly number[])[] = [[], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [1, 5]];

export interface LineStyle {
  /** The CSS variable holding the line's colour. */
  readonly colourVar: string;
  /** Dash and gap lengths in CSS pixels; empty for a solid line. */
  readonly dash: readonly number[];
}

/** The limit lines (memory against its limit): muted and finely dotted. */
export const limitStyle: LineStyle = { colourVar: '--muted', dash: [2, 2] };

export function lineStyle(index: number): LineStyle {
  const colourVar = colours[index % colours.length] ?? '--accent';
  // Past the colours, the dash moves on: the seventh line differs from the first by its pattern.
  const dash = dashes[(index + Math.floor(index / colours.length)) % dashes.length] ?? [];
  return { colourVar, dash };
}
