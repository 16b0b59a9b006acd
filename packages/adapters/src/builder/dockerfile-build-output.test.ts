import { describe, expect, it } from 'vitest';
import { lineContinuesMarker, maxLineLength } from '../runtime/line-splitter.js';
import { createDockerfileBuildOutput } from './dockerfile-build-output.js';

/** The engine's answer to a failed build, as it sends it: one JSON message per line. */
const failedBuild = [
  { stream: 'Step 1/3 : FROM local/busybox:latest' },
  { stream: '\n' },
  { stream: ' ---> 3122c0de001f\n' },
  { stream: 'Step 2/3 : RUN echo héllo && echo oops >&2 && exit 3' },
  { stream: '\n' },
  { stream: ' ---> Running in ee6cca9690d2\n' },
  { stream: 'héllo\n' },
  { stream: '\u001b[91moops\n\u001b[0m' },
  { stream: 'Removing intermediate container ee6cca9690d2\n' },
  {
    errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" },
    error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
  },
]
  .map((message) => `${JSON.stringify(message)}\r\n`)
  .join('');

describe('Dockerfile build output', () => {
  it('logs whole lines as they come, without colours, and keeps the failing step, however the bytes are cut', () => {
    const bytes = Buffer.from(failedBuild);
    for (const chunkBytes of [1, 7, 64, bytes.length]) {
      const lines: string[] = [];
      const output = createDockerfileBuildOutput((line) => lines.push(line));
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
        output.push(bytes.subarray(offset, offset + chunkBytes));
      }
      output.end();
      expect(lines).toEqual([
        'Step 1/3 : FROM local/busybox:latest',
        ' ---> 3122c0de001f',
        'Step 2/3 : RUN echo héllo && echo oops >&2 && exit 3',
        ' ---> Running in ee6cca9690d2',
        'héllo',
        'oops',
        'Removing intermediate container ee6cca9690d2',
        "error: The command '/bin/sh -c exit 3' returned a non-zero code: 3",
      ]);
      expect(output.failure).toEqual({
        message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
        step: { step: '2/3', command: 'RUN echo héllo && echo oops >&2 && exit 3' },
      });
    }
  });

  it('reads the image id, pull progress as status lines, and a failure before any step', () => {
    const lines: string[] = [];
    const output = createDockerfileBuildOutput((line) => lines.push(line));
    output.push('{"status":"Pulling from library/x","id":"latest"}\n');
    output.push('{"status":"Downloading","progressDetail":{"current":1},"id":"abc"}\n');
    output.push('{"aux":{"ID":"sha256:0123"}}\n');
    output.push('{"error":"dockerfile parse error line 2: unknown instruction: RUNN"}');
    output.end();
    expect(output.imageId).toBe('sha256:0123');
    expect(output.failure).toEqual({
      message: 'dockerfile parse error line 2: unknown instruction: RUNN',
      step: undefined,
    });
    expect(lines).toEqual([
      'latest: Pulling from library/x',
      'abc: Downloading',
      'error: dockerfile parse error line 2: unknown instruction: RUNN',
    ]);
  });
});

describe('a Dockerfile step printing without a newline', () => {
  it('is logged in pieces of at most the line cap as the engine sends it', () => {
    const lines: string[] = [];
    const output = createDockerfileBuildOutput((line) => lines.push(line));
    for (let index = 0; index < 40; index += 1) output.push(`${JSON.stringify({ stream: 'z'.repeat(1_000) })}\n`);
    expect(lines).toEqual(Array.from({ length: 2 }, () => 'z'.repeat(maxLineLength) + lineContinuesMarker));
  });
});
