/** Writes a log tail as the JSON of `logsResponseSchema` piece by piece, so the answer is streamed, never built whole. */
import { Readable } from 'node:stream';
import type { LogTailItem } from '@slipway/core';

/**
 * A readable of `{"lines":[...],"omitted":{...}}` pulling `items` only as fast as the client takes the text. The first
 * item is read by the caller beforehand, so an unknown app is a coded error answered before any byte is sent.
 */
export function logTailJson(first: IteratorResult<LogTailItem>, items: AsyncIterator<LogTailItem>): Readable {
  return Readable.from(
    (async function* (): AsyncGenerator<string> {
      yield '{"lines":[';
      let omitted = '';
      let isFirst = true;
      for (let next = first; next.done !== true; next = await items.next()) {
        const item = next.value;
        if (item.kind === 'omitted') {
          omitted = `,"omitted":${JSON.stringify(item.omitted)}`;
          continue;
        }
        yield `${isFirst ? '' : ','}${JSON.stringify(item.line)}`;
        isFirst = false;
      }
      yield `]${omitted}}`;
    })(),
  );
}
