import { describe, expect, it } from 'vitest';
import { lineContinuesMarker, LineSplitter } from './line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines cut between pieces and drops their line ends', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push('one\r\ntw')).toEqual(['one']);
    expect(splitter.push('o\nthree')).toEqual(['two']);
    expect(splitter.end()).toEqual(['three']);
  });

  it('never holds more than the cap of a line still being written', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push('abcdefghij')).toEqual([`abcd${lineContinuesMarker}`, `efgh${lineContinuesMarker}`]);
    expect(splitter.push('k\nlmnopq\n')).toEqual(['ijk', `lmno${lineContinuesMarker}`, 'pq']);
    expect(splitter.end()).toEqual([]);
  });
});
