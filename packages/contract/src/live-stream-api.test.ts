import { describe, expect, it } from 'vitest';
import { appsOverviewQuerySchema } from './apps-overview-api.js';
import {
  decodeStreamCursor,
  encodeStreamCursor,
  isResumableTopic,
  parseStreamTopic,
  streamAppsEventSchema,
  streamQuerySchema,
  streamReadyEventSchema,
} from './live-stream-api.js';

describe('live stream topics', () => {
  it('reads each kind of topic, the environment defaulting to production', () => {
    expect(parseStreamTopic('apps:acme')).toEqual({ kind: 'apps', project: 'acme', environment: 'production' });
    expect(parseStreamTopic('app:shop:staging')).toEqual({ kind: 'app', app: 'shop', environment: 'staging' });
    expect(parseStreamTopic('logs:shop')).toEqual({ kind: 'logs', app: 'shop', environment: 'production' });
    expect(parseStreamTopic('deployment:dep_01J9X')).toEqual({ kind: 'deployment', id: 'dep_01J9X' });
    for (const kind of ['approvals', 'audit', 'catalog'] as const) expect(parseStreamTopic(kind)).toEqual({ kind });
  });

  it('refuses what is not a topic', () => {
    for (const text of [
      '',
      'app',
      'app:',
      'app:Shop',
      'app:shop:staging:x',
      'logs:-x',
      'deployment:a;b',
      'users',
      'app:shop=1',
    ])
      expect(parseStreamTopic(text)).toBeUndefined();
  });

  it('knows which topics resume from a cursor', () => {
    expect(['logs:shop', 'deployment:dep_1', 'audit'].map(isResumableTopic)).toEqual([true, true, true]);
    expect(['app:shop', 'apps:acme', 'approvals', 'catalog'].map(isResumableTopic)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('live stream event ids', () => {
  it('encodes every cursor sorted by topic, and reads them back', () => {
    const cursors = new Map([
      ['logs:shop', 48_213],
      ['deployment:dep_1', 57],
    ]);
    const id = encodeStreamCursor(cursors);
    expect(id).toBe('v1;deployment:dep_1=57;logs:shop=48213');
    expect(decodeStreamCursor(id)).toEqual(cursors);
    expect(encodeStreamCursor(new Map())).toBe('v1');
    expect(decodeStreamCursor('v1')).toEqual(new Map());
  });

  it('refuses an id it did not write', () => {
    for (const id of [
      '',
      '48213',
      'v2;logs:shop=1',
      'v1;logs:shop=',
      'v1;logs:shop=-1',
      'v1;nope=3',
      'v1;=3',
      `v1;logs:a=${'9'.repeat(16)}`,
    ])
      expect(decodeStreamCursor(id)).toBeUndefined();
    expect(decodeStreamCursor(`v1;${'logs:a=1;'.repeat(500)}`)).toBeUndefined();
  });
});

describe('live stream and apps overview schemas', () => {
  it('bounds the query of the stream and of the overview', () => {
    expect(streamQuerySchema.safeParse({ topics: 'app:shop,logs:shop' }).success).toBe(true);
    expect(streamQuerySchema.safeParse({ topics: '' }).success).toBe(false);
    expect(streamQuerySchema.safeParse({ topics: 'x'.repeat(2049) }).success).toBe(false);
    expect(appsOverviewQuerySchema.parse({})).toEqual({
      environment: 'production',
      sort: 'name',
      order: 'asc',
      limit: 50,
      offset: 0,
    });
    expect(appsOverviewQuerySchema.parse({ limit: '200', offset: '50', search: 'shop' })).toMatchObject({
      limit: 200,
      offset: 50,
      search: 'shop',
    });
    for (const bad of [{ limit: '0' }, { limit: '201' }, { offset: '-1' }, { sort: 'size' }, { search: '' }])
      expect(appsOverviewQuerySchema.safeParse(bad).success).toBe(false);
  });

  it('describes the events a client reads', () => {
    expect(
      streamReadyEventSchema.parse({ topics: ['app:shop'], refused: [], heartbeatMs: 15_000, retryMs: 3_000 }),
    ).toBeDefined();
    expect(streamAppsEventSchema.safeParse({ topic: 'apps:acme', kind: 'reset', rows: [], removed: [] }).success).toBe(
      true,
    );
    expect(
      streamAppsEventSchema.safeParse({ topic: 'apps:acme', kind: 'partial', rows: [], removed: [] }).success,
    ).toBe(false);
  });
});
