// Summarises a V8 .cpuprofile: self time per function (mapped to the edge's TypeScript sources through the bundle's
// source map when there is one) and per area (edge code, node:http, streams, net, GC, idle...).
//
// Usage: node bench/router/profile-summary.mjs <file.cpuprofile> [top=25]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Loads `<bundle>.map` once per bundle URL, so frames of `edge.mjs` can be named by their `apps/edge/src` file. */
function sourceMapFor(url, cache) {
  if (cache.has(url)) return cache.get(url);
  let map;
  try {
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
  } catch {
    map = undefined;
  }
  cache.set(url, map);
  return map;
}

function areaOf(url, functionName) {
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'program (native, outside JS)';
  if (url === '') return 'native/builtin';
  if (url.includes('apps/edge/src/') || /(^|\/)src\/[\w-]+\.ts$/.test(url)) return 'edge code';
  if (url.includes('node_modules/')) return 'dependencies';
  const internal = /^node:internal\/(.+)$/.exec(url)?.[1] ?? /^node:(.+)$/.exec(url)?.[1];
  if (internal === undefined) return url.includes('edge.mjs') ? 'edge code' : 'other';
  if (/^(_http|http)/.test(internal)) return 'node:http';
  if (internal.startsWith('streams') || internal.startsWith('stream')) return 'node:stream';
  if (internal === 'net' || internal.startsWith('stream_base') || internal.startsWith('tcp')) return 'node:net/socket';
  if (internal.startsWith('timers')) return 'node:timers';
  if (internal.startsWith('crypto')) return 'node:crypto';
  if (internal.startsWith('event') || internal === 'events') return 'node:events';
  if (internal.startsWith('process') || internal.startsWith('async_hooks')) return 'node:process/tick';
  return `node:${internal.split('/')[0]}`;
}

/** `{ totalMs, areas: [{ area, ms, share }], functions: [{ name, where, ms, share }] }`, idle excluded from shares. */
export function summariseProfile(file, { top = 25 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  /** Native functions (the syscalls among them) are named with their nearest JS caller: `writev ← writevGeneric`. */
  const callerOf = (id) => {
    for (let parent = parentOf.get(id); parent !== undefined; parent = parentOf.get(parent.id))
      if (parent.callFrame.url !== '') return parent.callFrame.functionName || '(anonymous)';
    return undefined;
  };
  const selfMicros = new Map();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const maps = new Map();
  const byFunction = new Map();
  const byArea = new Map();
  let busyMicros = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) continue;
    let { url } = frame;
    let line = frame.lineNumber;
    const map = url.endsWith('.mjs') || url.endsWith('.js') ? sourceMapFor(url, maps) : undefined;
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry?.originalSource !== undefined) {
      url = entry.originalSource;
      line = entry.originalLine;
    }
    const caller = frame.url === '' && !frame.functionName.startsWith('(') ? callerOf(id) : undefined;
    const name = `${frame.functionName === '' ? '(anonymous)' : frame.functionName}${caller === undefined ? '' : ` ← ${caller}`}`;
    const area = areaOf(url, frame.functionName);
    if (area !== 'idle') busyMicros += micros;
    const shortUrl = url
      .replace(/^(?:.*?apps\/edge\/|\.\.\/)src\//, 'apps/edge/src/')
      .replace(/^file:\/\/.*\/node_modules\//, '');
    const where = shortUrl === '' ? '' : `${shortUrl}:${line + 1}`;
    const key = `${name} ${where}`;
    const current = byFunction.get(key) ?? { name, where, area, micros: 0 };
    current.micros += micros;
    byFunction.set(key, current);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
  }
  // Wall-clock samples: a native write that wakes its loopback peer is often preempted inside the syscall, so its
  // share is inflated on a busy machine; shares of JS time (native calls and `(program)` left out) are steadier.
  const nativeAreas = new Set(['idle', 'native/builtin', 'program (native, outside JS)']);
  let jsMicros = 0;
  for (const [area, micros] of byArea) if (!nativeAreas.has(area)) jsMicros += micros;
  const share = (micros) => Math.round((micros / busyMicros) * 1000) / 10;
  const jsShare = (area, micros) => (nativeAreas.has(area) ? undefined : Math.round((micros / jsMicros) * 1000) / 10);
  const ms = (micros) => Math.round(micros / 100) / 10;
  return {
    busyMs: ms(busyMicros),
    idleMs: ms(byArea.get('idle') ?? 0),
    jsMs: ms(jsMicros),
    areas: [...byArea]
      .filter(([area]) => area !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([area, micros]) => ({
        area,
        ms: ms(micros),
        sharePercent: share(micros),
        shareOfJsPercent: jsShare(area, micros),
      })),
    functions: [...byFunction.values()]
      .filter((f) => f.area !== 'idle')
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        where: f.where,
        area: f.area,
        ms: ms(f.micros),
        sharePercent: share(f.micros),
        shareOfJsPercent: jsShare(f.area, f.micros),
      })),
  };
}

export function printProfileSummary(summary, title) {
  const cell = (n) => (n === undefined ? '' : `${n} %`).padStart(7);
  console.log(
    `\n${title}: ${summary.busyMs} ms busy, of which ${summary.jsMs} ms in JS (idle ${summary.idleMs} ms); self time by area\n`,
  );
  console.log('   busy  of JS');
  for (const a of summary.areas.filter((a) => a.sharePercent >= 0.1))
    console.log(`${cell(a.sharePercent)}${cell(a.shareOfJsPercent)}  ${a.area}`);
  console.log('\n  top functions by self time\n');
  console.log('   busy  of JS');
  for (const f of summary.functions)
    console.log(`${cell(f.sharePercent)}${cell(f.shareOfJsPercent)}  ${f.name}  ${f.where}`.trimEnd());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node bench/router/profile-summary.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  printProfileSummary(summariseProfile(file, { top: Number(process.argv[3] ?? 25) }), file);
}
