/** Ids that sort by creation time: `<prefix>_<12 hex of ms><10 random base32>`, unique across processes. */
import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '@slipway/core';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export function createSortableIdGenerator(): IdGenerator {
  let lastMs = 0;
  let counter = 0;
  return {
    next(prefix) {
      const now = Date.now();
      counter = now === lastMs ? counter + 1 : 0;
      lastMs = now;
      const time = now.toString(16).padStart(12, '0') + counter.toString(16).padStart(3, '0');
      const random = [...randomBytes(8)].map((b) => alphabet[b % 32]).join('');
      return `${prefix}_${time}${random}`;
    },
  };
}
