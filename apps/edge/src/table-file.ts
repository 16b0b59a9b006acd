/** Persists the routing table in `<state-dir>/table.json` so a restarted router routes before slipwayd is back. */
import { readFile } from 'node:fs/promises';
import type { RoutingTable } from '@slipway/contract';
import { writeFileAtomic } from '@slipway/atomic-file';
import type { EdgeLog } from './edge-log.js';
import { checkRoutingTable } from './table-validator.js';

export const emptyTable: RoutingTable = { routes: [] };

/**
 * The persisted table; an empty one when there is none yet, or when the file cannot be used (logged):
 * an unreadable table must not keep the router down, slipwayd re-applies the table it wants.
 */
export async function readTableFile(path: string, log: EdgeLog): Promise<RoutingTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyTable;
    log.error({ path, err: error }, 'routing table unreadable, starting empty');
    return emptyTable;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    log.error({ path, err: error }, 'routing table is not JSON, starting empty');
    return emptyTable;
  }
  const checked = checkRoutingTable(json);
  if (!checked.isValid) {
    log.error({ path, issues: checked.issues.length }, 'routing table invalid, starting empty');
    return emptyTable;
  }
  return checked.table;
}

export async function writeTableFile(path: string, table: RoutingTable): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(table)}\n`);
}
