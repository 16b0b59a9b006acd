/** Makes one slipwayd at a time own a data dir, with a lock the kernel holds for the owner and frees when it dies. */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@slipway/atomic-file';
import SqliteDatabase from 'better-sqlite3';
import { SlipwayError } from '@slipway/contract';
import { isSameProcessRunning, readProcStat } from '../runtime/read-proc-stat.js';

/** How long a start waits for the lock before it refuses: long enough for another start's passing shared lock. */
const lockWaitMs = 1_000;

export interface DataDirLock {
  /** Frees the data dir for the next slipwayd. Idempotent. */
  release(): Promise<void>;
}

/**
 * Takes the data dir's lock or refuses with `UNAVAILABLE`, naming the owner. The lock is a POSIX record lock on
 * `slipwayd.lock` (taken through SQLite's exclusive locking, which is one): two starts at once cannot both get it, and
 * the kernel drops it when its owner exits however it exits, so there is no stale lock to judge and no reused pid to be
 * fooled by. `slipwayd.pid` ("pid start-ticks") only names the owner in the refusal; it is believed only while a
 * process with that pid and that start time runs.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const pidFile = join(dataDir, 'slipwayd.pid');
  // Two starts at once can both hold SQLite's shared lock on the way to the exclusive one: without a wait, each would
  // find the other's and both give up (seen as two refusals). With one, the start that reached the reserved lock
  // first waits out the other's shared lock while the other, refused that reserved lock, gives up at once (SQLite
  // never waits where waiting could deadlock); against a running owner, the refusal comes after this wait.
  const database = new SqliteDatabase(join(dataDir, 'slipwayd.lock'), { timeout: lockWaitMs });
  try {
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    database.close();
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
    const owner = await findOwner(pidFile);
    throw new SlipwayError(
      'UNAVAILABLE',
      `another slipwayd${owner === undefined ? '' : ` (pid ${owner})`} uses the data dir ${dataDir}: stop it, or pass --data-dir`,
    );
  }
  const startTicks = readProcStat(process.pid)?.startTicks ?? 0;
  await writeFileAtomic(pidFile, `${process.pid} ${startTicks}\n`, { mode: 0o600 });
  let isHeld = true;
  return {
    async release() {
      if (!isHeld) return;
      isHeld = false;
      // The pid file goes first: once the lock is free, the next owner writes its own.
      await rm(pidFile, { force: true });
      database.close();
    },
  };
}

async function findOwner(pidFile: string): Promise<number | undefined> {
  const [pid, startTicks] = (await readFile(pidFile, 'utf8').catch(() => '')).trim().split(' ').map(Number);
  if (pid === undefined || startTicks === undefined || !Number.isSafeInteger(pid) || !Number.isSafeInteger(startTicks))
    return undefined;
  return isSameProcessRunning(pid, startTicks) ? pid : undefined;
}
