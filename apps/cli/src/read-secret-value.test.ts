import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSecretValue } from './read-secret-value.js';

/** A stdin that claims to be a terminal and records raw-mode switches. */
function fakeTerminal() {
  const modes: boolean[] = [];
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (mode: boolean) => modes.push(mode),
  });
  return { stream, modes };
}

describe('readSecretValue', () => {
  it('reads all of a pipe without its one final newline, keeping inner newlines', async () => {
    const prompt = { text: '', write: (t: string) => (prompt.text += t) };
    expect(await readSecretValue('KEY', Readable.from(['line 1\n', 'line 2\r\n']), prompt)).toBe('line 1\nline 2');
    expect(prompt.text).toBe('');
  });

  it('on a terminal asks for the value and reads one line with echo off, honouring Backspace', async () => {
    const { stream, modes } = fakeTerminal();
    const prompt = { text: '', write: (t: string) => (prompt.text += t) };
    const value = readSecretValue('DB_PASSWORD', stream, prompt);
    stream.write('s3x\u007fcret\r');

    expect(await value).toBe('s3cret');
    expect(modes).toEqual([true, false]);
    expect(prompt.text).toBe('value of DB_PASSWORD (not shown; Enter to finish): \n');
  });

  it('ends with a coded error on Ctrl-C, leaving raw mode', async () => {
    const { stream, modes } = fakeTerminal();
    const value = readSecretValue('DB_PASSWORD', stream, { write: () => undefined });
    stream.write('abc\u0003');

    await expect(value).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(modes).toEqual([true, false]);
  });
});
