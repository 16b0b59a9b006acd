import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAccessLog, type AccessLog } from './access-log.js';

function collectingSink(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

const entry = {
  method: 'GET',
  host: 'shop.localhost',
  path: '/cart',
  status: 200,
  instanceId: 'web-1' as string | null,
  release: 3 as number | null,
  durationUs: 1_250,
  bytes: 180,
  requestId: 'req-1',
};

function record(log: AccessLog, line: typeof entry): void {
  log.record(
    line.method,
    line.host,
    line.path,
    line.status,
    line.instanceId,
    line.release,
    line.durationUs,
    line.bytes,
    line.requestId,
  );
}

describe('access log', () => {
  it('writes one JSON line per request with every field', async () => {
    const { sink, text } = collectingSink();
    const log = createAccessLog(sink);
    record(log, entry);
    record(log, { ...entry, status: 404, instanceId: null, release: null });
    await log.flush();
    const lines = text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ ...entry });
    expect(typeof lines[0]?.time).toBe('number');
    expect(lines[1]).toMatchObject({ status: 404, instanceId: null, release: null });
  });

  it('escapes quotes, backslashes, controls and latin1 bytes into ASCII JSON that reads back as sent', async () => {
    const { sink, text } = collectingSink();
    const log = createAccessLog(sink);
    const hostile = { ...entry, path: '/a"b\\c', requestId: 'id\u0001\u00e9\u00ff"', host: 'caf\u00e9.localhost' };
    record(log, hostile);
    await log.flush();
    const raw = text();
    expect(raw).toMatch(/^[\x20-\x7e]*\n$/);
    expect(JSON.parse(raw)).toMatchObject({ path: hostile.path, requestId: hostile.requestId, host: hostile.host });
  });
});
