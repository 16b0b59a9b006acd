import { describe, expect, it } from 'vitest';
import { execCommandLine } from './exec-command-line.js';

describe('execCommandLine', () => {
  it('makes a simple command replace the shell', () => {
    expect(execCommandLine('node server.js --port 3')).toBe('exec node server.js --port 3');
  });

  it('leaves a command that already execs, or sets variables first, as it is', () => {
    expect(execCommandLine('exec node server.js')).toBe('exec node server.js');
    expect(execCommandLine('PATH="$PWD/bin:$PATH" exec node server.js')).toBe(
      'PATH="$PWD/bin:$PATH" exec node server.js',
    );
  });

  it('reads quoted operators as arguments', () => {
    expect(execCommandLine(`node -e 'a(); b | c'`)).toBe(`exec node -e 'a(); b | c'`);
    expect(execCommandLine('echo "x; y"')).toBe('exec echo "x; y"');
  });

  it('leaves compound commands whole', () => {
    for (const command of ['npm run migrate && node server.js', 'a | b', 'a; b', 'cd app && exec x', 'echo $(date)']) {
      expect(execCommandLine(command)).toBe(command);
    }
  });
});
