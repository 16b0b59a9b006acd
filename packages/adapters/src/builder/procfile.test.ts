import { describe, expect, it } from 'vitest';
import { mergeProcesses } from './merge-processes.js';
import { parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  it('reads name: command lines, ignoring comments and blank lines', () => {
    const text =
      '# processes\n\nweb: node server.js --port $PORT\nworker:node worker.js\r\n  release_tasks :  ./migrate.sh && echo done  \n';
    expect(parseProcfile(text)).toEqual({
      web: { command: 'node server.js --port $PORT' },
      worker: { command: 'node worker.js' },
      release_tasks: { command: './migrate.sh && echo done' },
    });
  });

  it('keeps colons inside the command', () => {
    expect(parseProcfile('web: python -c "print(1)" --bind 0.0.0.0:$PORT')).toEqual({
      web: { command: 'python -c "print(1)" --bind 0.0.0.0:$PORT' },
    });
  });

  it('rejects malformed lines, bad names, empty commands and duplicates with SOURCE_INVALID naming the line', () => {
    for (const [text, line] of [
      ['web node server.js', 1],
      ['web: ok\nWeb: node x', 2],
      ['# c\nweb:   ', 2],
      ['web: a\nweb: b', 2],
    ] as const) {
      expect(() => parseProcfile(text), text).toThrow(
        expect.objectContaining({
          code: 'SOURCE_INVALID',
          message: expect.stringContaining(`Procfile line ${line}`) as unknown,
        }),
      );
    }
  });
});

describe('mergeProcesses', () => {
  it('lets manifest commands replace found ones and add process types, leaving the rest', () => {
    const found = { web: { command: 'node server.js' }, worker: { command: 'node worker.js' } };
    const merged = mergeProcesses(found, {
      processes: {
        web: { command: 'node server.js --fast' },
        clock: { command: 'node clock.js' },
        worker: { replicas: 2 },
        idle: { replicas: 1 },
      },
    });
    expect(merged).toEqual({
      web: { command: 'node server.js --fast' },
      worker: { command: 'node worker.js' },
      clock: { command: 'node clock.js' },
    });
    expect(found.web.command).toBe('node server.js');
  });
});
