import { describe, expect, it } from 'vitest';
import { lineContinuesMarker, maxLineLength } from '../line-splitter.js';
import { DockerFrameDemuxer, DockerLineSplitter } from './docker-stream-frames.js';

const frame = (type: number, text: string | Buffer): Buffer => {
  const payload = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('DockerFrameDemuxer', () => {
  it('reads frames of both streams out of one chunk', () => {
    const frames = new DockerFrameDemuxer().push(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));

    expect(frames.map((entry) => [entry.stream, entry.payload.toString()])).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
    ]);
  });

  it('waits for the rest of a frame cut anywhere, header included', () => {
    const bytes = Buffer.concat([frame(1, 'hello\n'), frame(2, 'world\n')]);
    const demuxer = new DockerFrameDemuxer();

    const read = [3, 10, 17, bytes.length].flatMap((end, index, ends) =>
      demuxer.push(bytes.subarray(index === 0 ? 0 : ends[index - 1], end)),
    );

    expect(read.map((entry) => entry.payload.toString())).toEqual(['hello\n', 'world\n']);
  });
});

describe('DockerLineSplitter', () => {
  it('splits each stream into lines, holding a partial line per stream until it ends', () => {
    const splitter = new DockerLineSplitter();
    const demuxer = new DockerFrameDemuxer();
    const frames = demuxer.push(Buffer.concat([frame(1, 'a\nb'), frame(2, 'x'), frame(1, 'c\r\nd'), frame(2, 'y\n')]));

    const lines = frames.flatMap((entry) => splitter.push(entry));

    expect(lines).toEqual([
      { stream: 'stdout', line: 'a' },
      { stream: 'stdout', line: 'bc' },
      { stream: 'stderr', line: 'xy' },
    ]);
    expect(splitter.flush()).toEqual([{ stream: 'stdout', line: 'd' }]);
    expect(splitter.flush()).toEqual([]);
  });

  it('keeps a character whose bytes two frames share', () => {
    const splitter = new DockerLineSplitter();
    const bytes = Buffer.from('é\n', 'utf8');

    const lines = [
      ...splitter.push({ stream: 'stdout', payload: bytes.subarray(0, 1) }),
      ...splitter.push({ stream: 'stdout', payload: bytes.subarray(1) }),
    ];

    expect(lines).toEqual([{ stream: 'stdout', line: 'é' }]);
  });
});

describe('DockerLineSplitter with a line that never ends', () => {
  it('hands it on in pieces of at most the line cap', () => {
    const splitter = new DockerLineSplitter();
    const pieces = splitter.push({ stream: 'stdout', payload: Buffer.from('w'.repeat(maxLineLength * 2 + 3)) });
    expect(pieces).toEqual(
      Array.from({ length: 2 }, () => ({ stream: 'stdout', line: 'w'.repeat(maxLineLength) + lineContinuesMarker })),
    );
    expect(splitter.flush()).toEqual([{ stream: 'stdout', line: 'www' }]);
  });
});
