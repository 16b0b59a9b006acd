// A small SVG of the instance count (healthy, and the count asked for) and the offered rate over time: no library.

/** `series`: `[{ tMs, healthy, desired, rate }]`; returns the SVG text. */
export function plotSvg({ series, title, maxRate }) {
  const width = 720;
  const height = 320;
  const pad = { left: 50, right: 60, top: 36, bottom: 40 };
  const tMax = Math.max(1, ...series.map((p) => p.tMs));
  const nMax = Math.max(1, ...series.map((p) => Math.max(p.healthy, p.desired)));
  const x = (t) => pad.left + (t / tMax) * (width - pad.left - pad.right);
  const yCount = (n) => height - pad.bottom - (n / nMax) * (height - pad.top - pad.bottom);
  const yRate = (r) => height - pad.bottom - (r / maxRate) * (height - pad.top - pad.bottom);
  const line = (points, color, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${points
      .map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`)
      .join(' ')}"/>`;
  const steps = (key, y) =>
    series.flatMap((p, i) => {
      const next = series[i + 1];
      return next === undefined
        ? [[x(p.tMs), y(p[key])]]
        : [
            [x(p.tMs), y(p[key])],
            [x(next.tMs), y(p[key])],
          ];
    });
  const ticks = [];
  for (let n = 0; n <= nMax; n += Math.max(1, Math.ceil(nMax / 5)))
    ticks.push(`<text x="${pad.left - 8}" y="${yCount(n) + 4}" text-anchor="end" font-size="11">${n}</text>`);
  for (let s = 0; s <= tMax / 1000; s += 10)
    ticks.push(
      `<text x="${x(s * 1000)}" y="${height - pad.bottom + 16}" text-anchor="middle" font-size="11">${s}s</text>`,
    );
  ticks.push(`<text x="${width - pad.right + 8}" y="${yRate(maxRate) + 4}" font-size="11">${maxRate} req/s</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>`,
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#888"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#888"/>`,
    ...ticks,
    line(steps('rate', yRate), '#bbb', '4 3'),
    line(steps('desired', yCount), '#e08000', '6 3'),
    line(steps('healthy', yCount), '#1060c0'),
    `<text x="${pad.left + 8}" y="${pad.top + 12}" font-size="11" fill="#1060c0">healthy instances</text>`,
    `<text x="${pad.left + 8}" y="${pad.top + 26}" font-size="11" fill="#e08000">instances asked for</text>`,
    `<text x="${pad.left + 8}" y="${pad.top + 40}" font-size="11" fill="#999">offered load (right scale)</text>`,
    '</svg>',
    '',
  ].join('\n');
}
