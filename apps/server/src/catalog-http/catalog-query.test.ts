import { describe, expect, it } from 'vitest';
import { CatalogHttpError } from './catalog-http-error.js';
import { defaultWaitMs, maxWaitMs, parseCatalogQuery, parseGoBool, parseIndex, tokenOf } from './catalog-query.js';

const refusal = (run: () => unknown): { status: number; text: string } | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof CatalogHttpError) return { status: error.statusCode, text: error.message };
    throw error;
  }
  return undefined;
};

describe('parseCatalogQuery', () => {
  it('decodes the whole path and reads flags by presence', () => {
    const query = parseCatalogQuery('/v1/kv/a%2Fx%2F1?recurse=false&raw=&keys', 'dc1');
    expect(query.path).toBe('/v1/kv/a/x/1');
    expect(['recurse', 'raw', 'keys', 'cas'].map((flag) => query.has(flag))).toEqual([true, true, true, false]);
  });

  it('waits 5 minutes unless asked, and never more than 10', () => {
    expect(parseCatalogQuery('/v1/kv/a', 'dc1').waitMs).toBe(defaultWaitMs);
    expect(parseCatalogQuery('/v1/kv/a?wait=120000ms', 'dc1').waitMs).toBe(120_000);
    expect(parseCatalogQuery('/v1/kv/a?wait=1h', 'dc1').waitMs).toBe(maxWaitMs);
  });

  it('reads the index as a uint64 below 2^53, and 0 when absent or empty', () => {
    expect(parseCatalogQuery('/v1/kv/a?index=', 'dc1').index).toBe(0);
    expect(parseCatalogQuery('/v1/kv/a?index=9007199254740991', 'dc1').index).toBe(2 ** 53 - 1);
    expect(refusal(() => parseIndex('9007199254740992'))).toEqual({ status: 400, text: 'Invalid index' });
    expect(refusal(() => parseIndex('1.5'))).toEqual({ status: 400, text: 'Invalid index' });
  });

  it('refuses another datacenter, stale with consistent, and a broken escape; accepts its own datacenter', () => {
    expect(refusal(() => parseCatalogQuery('/v1/kv/a?dc=dc2', 'dc1'))).toEqual({
      status: 500,
      text: 'No path to datacenter',
    });
    expect(refusal(() => parseCatalogQuery('/v1/kv/a?stale&consistent', 'dc1'))?.status).toBe(400);
    expect(refusal(() => parseCatalogQuery('/v1/kv/%E0%A4%A', 'dc1'))?.status).toBe(400);
    expect(refusal(() => parseCatalogQuery('/v1/kv/a?dc=dc1', 'dc1'))).toBeUndefined();
  });
});

describe('parseGoBool', () => {
  it('reads what Go reads, and nothing else', () => {
    expect(['1', 't', 'TRUE', 'True', 'true'].map(parseGoBool)).toEqual([true, true, true, true, true]);
    expect(['0', 'f', 'FALSE', 'False', 'false'].map(parseGoBool)).toEqual([false, false, false, false, false]);
    expect(['yes', '', 'tRuE'].map(parseGoBool)).toEqual([undefined, undefined, undefined]);
  });
});

describe('tokenOf', () => {
  it('takes X-Consul-Token, then a Bearer authorization, then ?token=', () => {
    const query = parseCatalogQuery('/v1/kv/a?token=from-query', 'dc1');
    expect(tokenOf({ 'x-consul-token': 'header', authorization: 'Bearer bearer' }, query)).toBe('header');
    expect(tokenOf({ authorization: 'Bearer bearer' }, query)).toBe('bearer');
    expect(tokenOf({ authorization: 'Basic abc' }, query)).toBe('from-query');
    expect(tokenOf({}, parseCatalogQuery('/v1/kv/a', 'dc1'))).toBeUndefined();
  });
});
