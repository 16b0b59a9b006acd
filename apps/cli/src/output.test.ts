import { describe, expect, it } from 'vitest';
import {
  createOutput,
  formatDurationMs,
  formatTimestamp,
  isColorWanted,
  renderTable,
  visibleLength,
} from './output.js';

describe('renderTable', () => {
  it('pads every column to its widest cell, separates columns by two spaces and leaves no trailing spaces', () => {
    expect(
      renderTable(
        ['NAME', 'RELEASE'],
        [
          ['web', 'v12'],
          ['a-longer-name', ''],
        ],
      ),
    ).toBe('NAME           RELEASE\n' + 'web            v12\n' + 'a-longer-name\n');
  });

  it('measures coloured cells by what shows, not by their escape sequences', () => {
    const red = '\u001b[31mfailed\u001b[39m';
    expect(visibleLength(red)).toBe(6);
    expect(renderTable(['STATE', 'X'], [[red, '1']]).split('\n')[1]).toBe(`${red}  1`);
  });
});

describe('colour', () => {
  it('is off when the output is not a terminal', () => {
    expect(isColorWanted({ write: () => undefined, isTTY: false }, {})).toBe(false);
    expect(createOutput({ write: () => undefined }, {}).style.red('x')).toBe('x');
  });

  it('is on for a terminal, unless NO_COLOR is set or the terminal is dumb', () => {
    const tty = { write: () => undefined, isTTY: true };
    expect(isColorWanted(tty, {})).toBe(true);
    expect(isColorWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(isColorWanted(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('is forced by FORCE_COLOR even into a pipe', () => {
    expect(isColorWanted({ write: () => undefined }, { FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('formats', () => {
  it('shortens timestamps to the minute in UTC and durations to tenths of seconds', () => {
    expect(formatTimestamp('2026-01-02T03:04:05.000Z')).toBe('2026-01-02 03:04Z');
    expect(formatTimestamp(null)).toBe('-');
    expect(formatDurationMs(12_345)).toBe('12.3s');
  });
});
