/** The streamed log tail is the JSON the contract's schema reads, and reads its items only as the client takes text. */
import { describe, expect, it } from 'vitest';
import { logsResponseSchema } from '@slipway/contract';
import type { LogTailItem } from '@slipway/core';
import { logTailJson } from './log-tail-json.js';

const lineItem = (index: number): LogTailItem => ({
  kind: 'line',
  line: { instanceId: 'i1', process: 'web', stream: 'stdout', line: `line ${index} "quoted"`, time: 't' },
});

async function* itemsOf(items: LogTailItem[], pulled: { count: number }): AsyncGenerator<LogTailItem> {
  for (const item of items) {
    pulled.count += 1;
    yield item;
  }
}

async function textOf(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe('log tail JSON', () => {
  it('writes the lines and the omission as the schema reads them', async () => {
    const omitted: LogTailItem = { kind: 'omitted', omitted: { tailPerInstance: 2, instancesCut: 1, message: 'cut' } };
    const pulled = { count: 0 };
    const items = itemsOf([lineItem(1), lineItem(2), omitted], pulled);
    const text = await textOf(logTailJson(await items.next(), items));

    expect(logsResponseSchema.parse(JSON.parse(text))).toEqual({
      lines: [
        { instanceId: 'i1', process: 'web', stream: 'stdout', line: 'line 1 "quoted"', time: 't' },
        { instanceId: 'i1', process: 'web', stream: 'stdout', line: 'line 2 "quoted"', time: 't' },
      ],
      omitted: { tailPerInstance: 2, instancesCut: 1, message: 'cut' },
    });
  });

  it('writes an empty tail without an omission', async () => {
    const items = itemsOf([], { count: 0 });
    expect(JSON.parse(await textOf(logTailJson(await items.next(), items)))).toEqual({ lines: [] });
  });

  it('pulls items as the reader takes text, not all before the first byte', async () => {
    const pulled = { count: 0 };
    const items = itemsOf(
      Array.from({ length: 100_000 }, (_, index) => lineItem(index)),
      pulled,
    );
    const stream = logTailJson(await items.next(), items);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();

    expect(pulled.count).toBeLessThan(1_000);
    stream.destroy();
  });
});
