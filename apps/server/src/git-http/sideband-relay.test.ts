import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodePacket, flushPacket, PktLineReader, type Packet } from './pkt-line-reader.js';
import { SidebandRelay } from './sideband-relay.js';

/** receive-pack's answer with side-band: the report on band 1, then the final flush. */
const report = Buffer.concat([
  encodePacket(Buffer.concat([Buffer.from([1]), Buffer.from('000eunpack ok\n0019ok refs/heads/main\n0000')])),
  flushPacket,
]);

async function packetsOf(relay: SidebandRelay): Promise<Packet[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of relay.output as AsyncIterable<Buffer>) chunks.push(chunk);
  return new PktLineReader().push(Buffer.concat(chunks));
}

const bandOf = (packet: Packet | undefined): string =>
  packet?.kind === 'data' ? `${packet.payload[0]}:${packet.payload.subarray(1).toString()}` : (packet?.kind ?? '');

describe('SidebandRelay', () => {
  it("holds receive-pack's final flush back so progress follows the report, then ends with it", async () => {
    const relay = new SidebandRelay(65_515);
    const read = packetsOf(relay);
    await relay.relay(Readable.from([report.subarray(0, 7), report.subarray(7)]));
    await relay.say('-----> build');
    await relay.end();
    const packets = await read;
    expect(packets.map(bandOf)).toEqual([expect.stringMatching(/^1:000eunpack ok/), '2:-----> build\n', 'flush']);
  });

  it('ends a failed push on band 3, which makes git push exit non-zero', async () => {
    const relay = new SidebandRelay(999);
    const read = packetsOf(relay);
    await relay.relay(Readable.from([report]));
    await relay.end('deployment dep_1 failed');
    const packets = await read;
    expect(packets.map(bandOf).slice(1)).toEqual(['3:deployment dep_1 failed\n']);
  });

  it('splits a line longer than a side-band packet into several', async () => {
    const relay = new SidebandRelay(999);
    const read = packetsOf(relay);
    await relay.relay(Readable.from([]));
    await relay.say('x'.repeat(2_500));
    await relay.end();
    const packets = await read;
    expect(packets.filter((p) => p.kind === 'data').every((p) => p.bytes.length <= 1_004)).toBe(true);
    expect(packets.length).toBe(4);
  });
});
