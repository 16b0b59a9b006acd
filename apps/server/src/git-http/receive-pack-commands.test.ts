import { describe, expect, it } from 'vitest';
import { encodePacket, flushPacket, PktLineReader } from './pkt-line-reader.js';
import { maxCommandBytes, ReceivePackCommandReader } from './receive-pack-commands.js';

const zero = '0'.repeat(40);
const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const line = (text: string): Buffer => encodePacket(Buffer.from(text, 'utf8'));

/** A push request as git sends it: the commands, a flush, then the pack (not pkt-lines). */
const request = Buffer.concat([
  line(`${zero} ${a} refs/heads/main\0 report-status side-band-64k quiet agent=git/2.39\n`),
  line(`${a} ${zero} refs/heads/old\n`),
  line(`${a} ${b} refs/tags/v1\n`),
  flushPacket,
  Buffer.from('PACK\0\0\0\x02 binary pack data that is not pkt-lines'),
]);

describe('ReceivePackCommandReader', () => {
  it('reads creates, deletes and updates with the client capabilities, however the bytes are split', () => {
    const reader = new ReceivePackCommandReader();
    let commands;
    for (const byte of request) commands ??= reader.push(Buffer.from([byte]));
    expect(commands?.updates).toEqual([
      { ref: 'refs/heads/main', before: null, after: a },
      { ref: 'refs/heads/old', before: a, after: null },
      { ref: 'refs/tags/v1', before: a, after: b },
    ]);
    expect(commands?.capabilities.has('side-band-64k')).toBe(true);
    expect(commands?.capabilities.has('report-status')).toBe(true);
  });

  it('stops at the flush: the pack that follows is not read as pkt-lines', () => {
    const reader = new ReceivePackCommandReader();
    expect(reader.push(request)?.updates).toHaveLength(3);
    expect(reader.push(Buffer.from('more pack bytes'))?.updates).toHaveLength(3);
  });

  it('refuses more command bytes than its bound before a flush', () => {
    const reader = new ReceivePackCommandReader();
    const big = line(`${a} ${b} refs/heads/${'x'.repeat(60_000)}\n`);
    expect(() => {
      for (let sent = 0; sent <= maxCommandBytes; sent += big.length) reader.push(big);
    }).toThrow(/at most/);
  });
});

describe('PktLineReader', () => {
  it('keeps a packet cut between chunks until it is whole, and tells flushes from data', () => {
    const reader = new PktLineReader();
    const bytes = Buffer.concat([line('hello\n'), flushPacket]);
    expect(reader.push(bytes.subarray(0, 5))).toEqual([]);
    const packets = reader.push(bytes.subarray(5));
    expect(packets.map((p) => p.kind)).toEqual(['data', 'flush']);
    expect(packets[0]?.kind === 'data' ? packets[0].payload.toString() : '').toBe('hello\n');
    expect(reader.heldBytes).toBe(0);
  });

  it('refuses what is not pkt-line framing', () => {
    expect(() => new PktLineReader().push(Buffer.from('PACK'))).toThrow(/pkt-line/);
  });
});
