/**
 * Reads the Docker Engine's multiplexed output (logs and exec of a container without a TTY): frames of an 8-byte
 * header — stream type, three zero bytes, the payload size big-endian — then the payload; frames may be cut anywhere
 * by the transport. Then splits each stream into lines, holding a partial line until its end comes.
 */

import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../line-splitter.js';

export type DockerStream = 'stdout' | 'stderr';

export interface DockerFrame {
  stream: DockerStream;
  payload: Buffer;
}

const headerBytes = 8;

/** Frames out of chunks as they arrive; bytes of an unfinished frame wait for the next chunk. */
export class DockerFrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): DockerFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: DockerFrame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= headerBytes) {
      const type = this.pending[offset];
      const sizeBytes = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - headerBytes < sizeBytes) break;
      const payload = this.pending.subarray(offset + headerBytes, offset + headerBytes + sizeBytes);
      // Type 0 is stdin (never sent to us); 1 stdout; 2 stderr. Anything else counts as stdout rather than being lost.
      frames.push({ stream: type === 2 ? 'stderr' : 'stdout', payload });
      offset += headerBytes + sizeBytes;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }
}

/**
 * Whole lines of each stream, without their line ends; a line still being written waits until `flush`, up to the
 * line cap (past it, its pieces go out marked).
 */
export class DockerLineSplitter {
  private readonly splitters: Record<DockerStream, LineSplitter> = {
    stdout: new LineSplitter(),
    stderr: new LineSplitter(),
  };
  // A character cut between two frames is held back until its last bytes come.
  private readonly decoders: Record<DockerStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  push(frame: DockerFrame): { stream: DockerStream; line: string }[] {
    const lines = this.splitters[frame.stream].push(this.decoders[frame.stream].write(frame.payload));
    return lines.map((line) => ({ stream: frame.stream, line }));
  }

  /** The unfinished lines, once the output has ended. */
  flush(): { stream: DockerStream; line: string }[] {
    const lines: { stream: DockerStream; line: string }[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = this.splitters[stream];
      for (const line of [...splitter.push(this.decoders[stream].end()), ...splitter.end()])
        lines.push({ stream, line });
    }
    return lines;
  }
}
