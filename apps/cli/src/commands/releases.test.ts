import { afterEach, describe, expect, it } from 'vitest';
import type { ReleaseView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const release = (number: number, overrides: Partial<ReleaseView> = {}): ReleaseView => ({
  id: `rel_${number}`,
  app: 'web',
  environment: 'production',
  number,
  builder: 'node',
  source: { kind: 'git', url: 'https://example.com/web.git', ref: 'main', commit: '0123456789abcdef' },
  processes: { web: { command: 'node server.js' } },
  configKeys: ['PORT'],
  isCurrent: false,
  createdAt: '2026-01-02T03:04:05.000Z',
  ...overrides,
});

describe('slipway releases', () => {
  it('lists releases with the current one marked and the source summarised', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/releases': {
        json: {
          releases: [
            release(2, {
              isCurrent: true,
              source: { kind: 'archive', fileName: 'site.tar.gz', sizeBytes: 2048 },
              changedConfigKeys: ['PORT'],
              madeBy: { deploymentId: 'dep_2', kind: 'deploy', state: 'succeeded', requestedBy: 'alice' },
            }),
            release(1),
          ],
        },
      },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['releases', 'web', '-e', 'production'])).toBe(0);
    const lines = captured.stdout().split('\n');
    expect(lines[0]).toMatch(/^RELEASE\s+BUILDER\s+SOURCE\s+PROCESSES\s+CONFIG\s+MADE BY\s+CREATED$/);
    expect(lines[1]).toMatch(
      /^v2 \(current\)\s+node\s+site\.tar\.gz \(2 KiB\)\s+web\s+1 key \(changed PORT\)\s+alice deploy succeeded\s+2026-01-02 03:04Z$/,
    );
    expect(lines[2]).toMatch(/^v1\s+node\s+https:\/\/example\.com\/web\.git#main @0123456\s+web/);
    expect(server.requests[0]?.query.get('environment')).toBe('production');
  });
});
