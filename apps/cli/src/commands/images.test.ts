import { afterEach, describe, expect, it } from 'vitest';
import type { ImageView } from '@slipway/contract';
import { startCannedApiServer, type CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const image = (id: string, overrides: Partial<ImageView> = {}): ImageView => ({
  id: `sha256:${id.repeat(64).slice(0, 64)}`,
  references: [`slipway-ns/web:${id}`],
  sizeBytes: 80 * 1024 * 1024,
  createdAt: '2026-01-02T03:04:05.000Z',
  releases: [],
  ...overrides,
});

describe('slipway images', () => {
  it('lists the images with the releases that run them', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/system/images': {
        json: {
          images: [image('a', { releases: [{ app: 'web', environment: 'production', number: 3 }] }), image('b')],
        },
      },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });

    expect(await createProgram(captured.io).run(['images', 'list'])).toBe(0);

    const lines = captured.stdout().split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+NAMES\s+SIZE\s+CREATED\s+RELEASES$/);
    expect(lines[1]).toMatch(/^aaaaaaaaaaaa\s+slipway-ns\/web:a\s+80.0 MiB\s+.+web\/production v3$/);
    expect(lines[2]).toMatch(/^bbbbbbbbbbbb\s+slipway-ns\/web:b\s+80.0 MiB\s+.+-$/);
  });

  it('prunes, saying what it removed, what a container still uses and what it kept', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/system/images/prune': { json: { removed: [image('a')], kept: 2, inUse: [image('b')] } },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });

    expect(await createProgram(captured.io).run(['images', 'prune'])).toBe(0);

    expect(captured.stdout()).toBe(
      [
        'removed slipway-ns/web:a',
        'kept slipway-ns/web:b: a container still uses it',
        '1 removed (80.0 MiB), 2 kept for retained releases',
        '',
      ].join('\n'),
    );
  });
});
