import { describe, expect, it } from 'vitest';
import {
  catalogSnapshotFormat,
  catalogSnapshotVersion,
  decodeCatalogSnapshot,
  encodeCatalogSnapshot,
  type CatalogSnapshotData,
} from './catalog-snapshot.js';
import type { SlipwayError } from './slipway-error.js';

const bytes = (text: string) => new TextEncoder().encode(text);

const snapshot: CatalogSnapshotData = {
  index: 12,
  node: {
    name: 'node-1',
    id: '6f0a9e3c-2b1d-4c59-9a4e-0d2f6c1b7e55',
    address: '127.0.0.1',
    datacenter: 'dc1',
    meta: { rack: 'a' },
    taggedAddresses: { lan: '127.0.0.1' },
    createIndex: 1,
    modifyIndex: 1,
  },
  kv: [
    {
      key: 'config/url',
      value: bytes('postgres://db'),
      flags: 3,
      createIndex: 2,
      modifyIndex: 4,
      lockIndex: 0,
      session: null,
    },
    { key: 'empty', value: null, flags: 0, createIndex: 5, modifyIndex: 5, lockIndex: 0, session: null },
    {
      key: 'bytes',
      value: Uint8Array.from({ length: 256 }, (_, i) => i),
      flags: 0,
      createIndex: 6,
      modifyIndex: 6,
      lockIndex: 0,
      session: null,
    },
    { key: 'locks/leader', value: bytes('me'), flags: 0, createIndex: 8, modifyIndex: 9, lockIndex: 1, session: 's-1' },
  ],
  tombstones: [{ key: 'gone', modifyIndex: 10, deletedAtMs: 1_767_225_600_000 }],
  sessions: [
    {
      id: 's-1',
      name: 'leader',
      node: 'node-1',
      lockDelayMs: 15_000,
      behavior: 'release',
      ttlMs: null,
      nodeChecks: ['serfHealth'],
      serviceChecks: [],
      createIndex: 7,
      modifyIndex: 7,
      expiresAtMs: null,
    },
  ],
  services: [
    {
      id: 'ins_01',
      name: 'shop',
      tags: ['production', 'web', 'release-7'],
      address: '127.0.0.1',
      port: 41_234,
      meta: { app: 'shop', release: '7' },
      taggedAddresses: {},
      weights: { passing: 1, warning: 1 },
      enableTagOverride: false,
      source: { kind: 'slipway', instanceId: 'ins_01', appId: 'app_01' },
      createIndex: 11,
      modifyIndex: 11,
    },
  ],
  checks: [
    {
      checkId: 'service:ins_01',
      name: 'Slipway health',
      status: 'passing',
      notes: '',
      output: 'healthy',
      serviceId: 'ins_01',
      serviceName: 'shop',
      serviceTags: ['production'],
      definition: {
        type: 'http',
        url: 'http://127.0.0.1:41234/',
        method: 'GET',
        header: {},
        body: '',
        tlsSkipVerify: false,
        intervalMs: 10_000,
        timeoutMs: 1_000,
      },
      createIndex: 11,
      modifyIndex: 12,
      ttlExpiresAtMs: null,
    },
  ],
};

/** The encoded file as JSON, to break on purpose. */
const file = (): Record<string, unknown> & { kv: Record<string, unknown>[] } =>
  JSON.parse(encodeCatalogSnapshot(snapshot)) as Record<string, unknown> & { kv: Record<string, unknown>[] };

const refusal = (json: string): SlipwayError => {
  try {
    decodeCatalogSnapshot(json);
  } catch (error) {
    return error as SlipwayError;
  }
  throw new Error('the snapshot was accepted');
};

describe('catalog snapshot file', () => {
  it('decodes what it encodes, byte for byte', () => {
    expect(decodeCatalogSnapshot(encodeCatalogSnapshot(snapshot))).toEqual(snapshot);
  });

  it('is versioned JSON with values in base64 and an empty value as null', () => {
    const written = file();
    expect(written.format).toBe(catalogSnapshotFormat);
    expect(written.version).toBe(catalogSnapshotVersion);
    expect(written.kv.map((entry) => entry.value)).toEqual([
      'cG9zdGdyZXM6Ly9kYg==',
      null,
      Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i)).toString('base64'),
      'bWU=',
    ]);
  });

  it('refuses what is not JSON', () => {
    const error = refusal('{"format": ');
    expect(error.code).toBe('CATALOG_SNAPSHOT_INVALID');
    expect(error.message).toMatch(/^catalog snapshot is invalid: \(root\): is not JSON/);
  });

  it('refuses a file of a later version, saying which one it reads', () => {
    const error = refusal(JSON.stringify({ ...file(), version: 2, somethingNew: [] }));
    expect(error.message).toBe(
      'catalog snapshot is invalid: version: is 2, written by a later Slipway; this one reads version 1',
    );
  });

  it('names each wrong field by its path: a value not in base64, a typo, a wrong check type, a missing list', () => {
    const broken = file();
    broken.kv[0]!.value = 'not base64!';
    broken.kv[1]!.flag = 1;
    (broken.checks as { definition: { type: string } }[])[0]!.definition.type = 'htp';
    delete broken.tombstones;
    const error = refusal(JSON.stringify(broken));
    expect(error.code).toBe('CATALOG_SNAPSHOT_INVALID');
    const issues = (error.details?.issues ?? []) as { path: string; message: string }[];
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ['checks.0.definition.type', 'kv.0.value', 'kv.1.flag', 'tombstones'].sort(),
    );
    expect(error.message).toContain('kv.0.value: must be standard base64');
    expect(error.message).toContain('unknown key "flag" (did you mean "flags"?)');
    expect(error.message).toContain('tombstones: is required: give it an array');
    expect(error.message).toContain('checks.0.definition.type: unknown type "htp" (did you mean "http"?)');
  });

  it('refuses a file whose records contradict each other: duplicates, later indexes, locks of absent sessions', () => {
    const broken = file();
    broken.kv.push({ ...broken.kv[0]! });
    broken.kv[1]!.modifyIndex = 13;
    broken.kv[2]!.createIndex = 7;
    broken.sessions = [];
    const issues = (refusal(JSON.stringify(broken)).details?.issues ?? []) as { path: string; message: string }[];
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'kv.4.key', message: '"config/url" appears twice' },
        { path: 'kv.1.modifyIndex', message: "is 13, later than the snapshot's index 12" },
        { path: 'kv.2.createIndex', message: 'is 7, later than its modifyIndex 6' },
        { path: 'kv.3.session', message: 'names session "s-1", which the snapshot does not have' },
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('refuses indexes past 2^53 and negative ones', () => {
    const error = refusal(JSON.stringify({ ...file(), index: 2 ** 53 + 2 }));
    expect(error.message).toMatch(/^catalog snapshot is invalid: index: /);
    expect(refusal(JSON.stringify({ ...file(), index: -1 })).message).toMatch(/index: /);
  });
});
