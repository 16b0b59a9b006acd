/**
 * Reads the Docker Engine's multiplexed output (logs and exec of a container without a TTY): frames of an 8-byte
 * header — stream type, three zero bytes, the payload size big-endian — then the payload; frames may be cut anywhere
 * by the transport. Then splits each stream into lines, holding a partial line until its end comes.
 */

import { StringDecoder } from 'node:string_decoder';

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

/** Whole lines of each stream, without their line ends; a line still being written waits until `flush`. */
export class DockerLineSplitter {
  private readonly partial: Record<DockerStream, string> = { stdout: '', stderr: '' };
  // A character cut between two frames is held back until its last bytes come.
  private readonly decoders: Record<DockerStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  push(frame: DockerFrame): { stream: DockerStream; line: string }[] {
    const text = this.partial[frame.stream] + this.decoders[frame.stream].write(frame.payload);
    const parts = text.split('\n');
    this.partial[frame.stream] = parts.pop() ?? '';
    return parts.map((line) => ({ stream: frame.stream, line: line.endsWith('\r') ? line.slice(0, -1) : line }));
  }

  /** The unfinished lines, once the output has ended. */
  flush(): { stream: DockerStream; line: string }[] {
    const lines: { stream: DockerStream; line: string }[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      this.partial[stream] += this.decoders[stream].end();
      if (this.partial[stream] !== '') lines.push({ stream, line: this.partial[stream] });
      this.partial[stream] = '';
    }
    return lines;
  }
}
