/**
 * One Metrics tab chart (uPlot): its lines on the window's time axis, a vertical marker labelled with the release at
 * each release that went live, in the theme's colours (drawn again when the theme changes). Loaded lazily: uPlot is
 * not in the initial bundle.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricLine, ReleaseMark } from './metric-panels.js';
import { limitStyle, lineStyle, type LineStyle } from './line-styles.js';

export interface MetricsPlotProps {
  readonly label: string;
  readonly timestampsMs: readonly number[];
  readonly lines: readonly MetricLine[];
  readonly marks: readonly ReleaseMark[];
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly format: (value: number) => string;
}

const heightPx = 200;

/** The `data-theme` of the document, followed as it changes (the header's theme switch). */
function useThemeName(): string {
  const [theme, setTheme] = useState(document.documentElement.dataset['theme'] ?? '');
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(document.documentElement.dataset['theme'] ?? ''));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

/** Draws a dashed vertical line and the release's name at each mark inside the plotting area. */
function releaseMarksPlugin(marks: readonly ReleaseMark[], colour: string): uPlot.Plugin {
  const draw = (plot: uPlot) => {
    const { ctx, bbox } = plot;
    const ratio = uPlot.pxRatio;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = ratio;
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    // Releases close together would write their names over each other: each such name goes a line lower.
    let labelEndX = -Infinity;
    let labelRow = 0;
    for (const mark of marks) {
      const x = Math.round(plot.valToPos(mark.atMs / 1000, 'x', true));
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      labelRow = x < labelEndX ? labelRow + 1 : 0;
      const labelX = x + 3 * ratio;
      ctx.fillText(mark.label, labelX, bbox.top + (2 + 13 * labelRow) * ratio);
      labelEndX = Math.max(labelEndX, labelX + ctx.measureText(mark.label).width);
    }
    ctx.restore();
  };
  return { hooks: { draw: [draw] } };
}

export default function MetricsPlot({ label, timestampsMs, lines, marks, sinceMs, untilMs, format }: MetricsPlotProps) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useThemeName();
  useEffect(() => {
    const element = box.current;
    if (element === null) return undefined;
    const css = getComputedStyle(document.documentElement);
    const colourOf = (style: LineStyle) => css.getPropertyValue(style.colourVar).trim() || 'currentColor';
    const text = css.getPropertyValue('--muted').trim() || 'currentColor';
    const grid = css.getPropertyValue('--border').trim() || 'rgba(128,128,128,0.3)';
    let drawn = 0;
    const series = lines.map((line): uPlot.Series => {
      const style = line.isLimit === true ? limitStyle : lineStyle(drawn++);
      return {
        label: line.label,
        stroke: colourOf(style),
        dash: [...style.dash],
        width: 1.5,
        value: (_plot, value) => (value === null ? '—' : format(value)),
      };
    });
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const width = () => Math.max(240, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: heightPx,
        legend: { show: false },
        scales: {
          x: { time: true, range: () => [sinceMs / 1000, untilMs / 1000] },
          y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        series: [{}, ...series],
        axes: [axis, { ...axis, size: 56 }],
        plugins: [releaseMarksPlugin(marks, css.getPropertyValue('--text').trim() || 'currentColor')],
      },
      [timestampsMs.map((ms) => ms / 1000), ...lines.map((line) => [...line.values])],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: heightPx }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [timestampsMs, lines, marks, sinceMs, untilMs, format, theme]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
