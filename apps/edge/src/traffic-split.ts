/**
 * A route's traffic split between releases (canary, blue-green): which release a request goes to — a release whose
 * `matches` it meets, else the one owning the client's sticky bucket, else the next by smooth weighted round-robin
 * over the release weights (exact, not random) — and, when that release has no usable upstream, which other one
 * takes it. The upstream within the release is its own picker's choice (least in flight, smooth weighted round-robin).
 * Built once per table: a request costs a few comparisons and no allocation but its `Set-Cookie` value.
 */
import type { RouteSplit, TrafficMatch } from '@slipway/contract';
import { compileHeaderPattern } from '@slipway/contract/header-pattern';
import type { HttpHead } from './http-head.js';
import type { UpstreamTarget } from './route-index.js';
import { createUpstreamPicker, type UpstreamPicker } from './upstream-picker.js';

/** Sticky buckets: a client's cookie holds one of `0 … bucketCount - 1`; each release owns a range by its weight. */
export const bucketCount = 10_000;

/** How long a browser keeps its sticky bucket, in seconds (7 days): past one rollout, so a canary client stays one. */
export const stickyCookieMaxAgeSeconds = 7 * 24 * 60 * 60;

/** One release of a split, with its upstreams and the bucket range `[bucketStart, bucketEnd)` it owns. */
export interface ReleaseLane {
  readonly releaseNumber: number;
  /** Buckets owned (`bucketEnd - bucketStart`): the release's weight in hundredths of a percent. */
  readonly share: number;
  readonly bucketStart: number;
  readonly bucketEnd: number;
  readonly targets: readonly UpstreamTarget[];
  readonly upstreams: UpstreamPicker<UpstreamTarget>;
}

/** What `decide` chose for one request. Reused from one request to the next: read it at once. */
export interface SplitDecision {
  lane: ReleaseLane | undefined;
  upstream: UpstreamTarget | undefined;
  /** The `Set-Cookie` value to send with the response (a new sticky bucket), else undefined. */
  setCookie: string | undefined;
}

export interface TrafficSplit {
  /** Chooses the release and its upstream for a request; `upstream` undefined: no release has one (503). */
  decide(head: HttpHead): SplitDecision;
  /** Another upstream after `excluded` (of `lane`) failed to connect: the same release first, then the others. */
  retry(lane: ReleaseLane, excluded: UpstreamTarget): UpstreamTarget | undefined;
}

type Matcher = (head: HttpHead) => boolean;

interface Lane extends ReleaseLane {
  readonly matchers: readonly Matcher[];
  /** Smooth weighted round-robin state. */
  current: number;
}

/** `targets` are the route's upstreams; those of a release the split does not name take no traffic. */
export function createTrafficSplit(split: RouteSplit, targets: readonly UpstreamTarget[]): TrafficSplit {
  // Newest release at the bottom of the bucket space: its range [0, w) only grows with its weight, so a client it
  // holds stays while the weight does not go down, and a weight increase only moves clients onto it.
  const newestFirst = [...split.releases].sort((a, b) => b.releaseNumber - a.releaseNumber);
  const lanes: Lane[] = [];
  let cumulative = 0;
  let bucketStart = 0;
  newestFirst.forEach((release, index) => {
    cumulative += release.weight;
    const bucketEnd =
      index === newestFirst.length - 1 ? bucketCount : Math.min(bucketCount, Math.round(cumulative * 100));
    const own = targets.filter((target) => target.upstream.releaseNumber === release.releaseNumber);
    lanes.push({
      releaseNumber: release.releaseNumber,
      share: Math.max(0, bucketEnd - bucketStart),
      bucketStart,
      bucketEnd: Math.max(bucketStart, bucketEnd),
      targets: own.filter((target) => target.weight > 0),
      upstreams: createUpstreamPicker(own),
      matchers: (release.matches ?? []).map(matcherOf),
      current: 0,
    });
    bucketStart = Math.max(bucketStart, bucketEnd);
  });
  // Matches are tried in the table's order of releases.
  const matching = split.releases
    .map((release) => lanes.find((lane) => lane.releaseNumber === release.releaseNumber))
    .filter((lane): lane is Lane => lane !== undefined && lane.matchers.length > 0);
  const liveLanes = lanes.filter((lane) => lane.share > 0).length;
  const cookieName = split.stickyCookie;
  const decision: SplitDecision = { lane: undefined, upstream: undefined, setCookie: undefined };

  /** An upstream of `lane` can take a request: in, weighted, and (when `isEjectionHonoured`) not ejected. */
  function isUsable(lane: Lane, isEjectionHonoured: boolean, nowMs: number): boolean {
    for (const target of lane.targets) {
      if (target.slot.isRetired) continue;
      if (!isEjectionHonoured || target.slot.ejectedUntilMs <= nowMs) return true;
    }
    return false;
  }

  /** Smooth weighted round-robin over the weighted usable releases but `excluded` (exact over any run of requests). */
  function nextByWeight(excluded: Lane | undefined, isEjectionHonoured: boolean, nowMs: number): Lane | undefined {
    let total = 0;
    let best: Lane | undefined;
    for (const lane of lanes) {
      if (lane.share === 0 || lane === excluded || !isUsable(lane, isEjectionHonoured, nowMs)) continue;
      lane.current += lane.share;
      total += lane.share;
      if (best === undefined || lane.current > best.current) best = lane;
    }
    if (best !== undefined) best.current -= total;
    return best;
  }

  /** `wanted` when it can serve, else another release by weight, else one of weight 0; ejections ignored last. */
  function resolve(wanted: Lane | undefined, nowMs: number, isWantedLeftOut: boolean): Lane | undefined {
    return resolvePass(wanted, nowMs, isWantedLeftOut, true) ?? resolvePass(wanted, nowMs, isWantedLeftOut, false);
  }

  function resolvePass(
    wanted: Lane | undefined,
    nowMs: number,
    isWantedLeftOut: boolean,
    isEjectionHonoured: boolean,
  ): Lane | undefined {
    if (wanted !== undefined && !isWantedLeftOut && isUsable(wanted, isEjectionHonoured, nowMs)) return wanted;
    const other = nextByWeight(wanted, isEjectionHonoured, nowMs);
    if (other !== undefined) return other;
    for (const lane of lanes) {
      if (lane !== wanted && lane.share === 0 && isUsable(lane, isEjectionHonoured, nowMs)) return lane;
    }
    return undefined;
  }

  /** The release a request asks for by a match, else by its sticky bucket; undefined when it asks for none. */
  function wantedBy(head: HttpHead): Lane | undefined {
    for (const lane of matching) {
      for (const matches of lane.matchers) if (matches(head)) return lane;
    }
    if (cookieName === null) return undefined;
    const bucket = bucketOf(cookieValue(head, cookieName));
    if (bucket === -1) return undefined;
    for (const lane of lanes) if (bucket >= lane.bucketStart && bucket < lane.bucketEnd) return lane;
    return undefined;
  }

  function decide(head: HttpHead): SplitDecision {
    const nowMs = Date.now();
    const wanted = wantedBy(head);
    const lane = resolve(wanted ?? nextByWeight(undefined, true, nowMs), nowMs, false);
    decision.lane = lane;
    decision.upstream = lane?.upstreams.pick();
    decision.setCookie = undefined;
    // A client without a valid bucket gets one inside the range of the release it was sent to, while there is a
    // choice to keep it on; one sent by a match keeps what it has.
    if (wanted === undefined && cookieName !== null && liveLanes > 1 && lane !== undefined && lane.share > 0) {
      if (bucketOf(cookieValue(head, cookieName)) === -1) {
        const bucket = lane.bucketStart + Math.floor(Math.random() * lane.share);
        decision.setCookie = `${cookieName}=${bucket}; Path=/; Max-Age=${stickyCookieMaxAgeSeconds}; HttpOnly; SameSite=Lax`;
      }
    }
    return decision;
  }

  function retry(lane: ReleaseLane, excluded: UpstreamTarget): UpstreamTarget | undefined {
    const same = lane.upstreams.pick(excluded);
    if (same !== undefined) return same;
    const own = lanes.find((candidate) => candidate === lane);
    return resolve(own, Date.now(), true)?.upstreams.pick();
  }

  return { decide, retry };
}

function matcherOf(match: TrafficMatch): Matcher {
  if ('cookie' in match) {
    const { cookie, value } = match;
    return (head) => cookieValue(head, cookie) === value;
  }
  const name = match.header.toLowerCase();
  const { value } = match;
  const pattern = match.kind === 'regex' ? compileHeaderPattern(value) : undefined;
  const test =
    pattern !== undefined
      ? (candidate: string) => pattern.test(candidate)
      : match.kind === 'prefix'
        ? (candidate: string) => candidate.startsWith(value)
        : (candidate: string) => candidate === value;
  return (head) => {
    const { lowerNames, values } = head;
    for (let i = 0; i < lowerNames.length; i += 1) {
      if (lowerNames[i] === name && test(values[i] ?? '')) return true;
    }
    return false;
  };
}

/** The value of cookie `name` (RFC 6265 §5.4: `name=value` pairs separated by `; `), the first one sent; else undefined. */
export function cookieValue(head: HttpHead, name: string): string | undefined {
  const { lowerNames, values } = head;
  for (let i = 0; i < lowerNames.length; i += 1) {
    if (lowerNames[i] !== 'cookie') continue;
    const text = values[i] ?? '';
    let at = 0;
    while (at < text.length) {
      while (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9) at += 1;
      const semicolon = text.indexOf(';', at);
      const end = semicolon === -1 ? text.length : semicolon;
      if (text.charCodeAt(at + name.length) === 61 && text.startsWith(name, at))
        // '='
        return text.slice(at + name.length + 1, end).trim();
      at = end + 1;
    }
  }
  return undefined;
}

/** A sticky cookie's bucket: a decimal 0–9999 written as `String(n)` would write it; -1 when absent or malformed. */
export function bucketOf(value: string | undefined): number {
  if (value === undefined || value.length === 0 || value.length > 4) return -1;
  if (value.length > 1 && value.charCodeAt(0) === 48) return -1; // leading '0'
  let bucket = 0;
  for (let i = 0; i < value.length; i += 1) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    bucket = bucket * 10 + digit;
  }
  return bucket;
}
