/**
 * Gives each isolation scope (a project) its own unprivileged uid from a range Slipway manages, recorded in a file of
 * the data dir so a scope keeps its uid across restarts (its releases and scratch files stay its own).
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@slipway/atomic-file';
import { SlipwayError } from '@slipway/contract';

/** A uid and its own group of the same number: no other account shares the group. */
export interface SandboxIdentity {
  uid: number;
  gid: number;
}

export interface SandboxUsersOptions {
  /** JSON file the allocation is recorded in (in the data dir, which no sandbox can see). */
  file: string;
  /** Inclusive uid range; far above the system's and the users' ranges (and the usual subuid ranges). */
  uidRange?: { from: number; to: number };
  /** Accounts of the machine, whose uids are never handed out; default: the uids in /etc/passwd. */
  readTakenUids?: () => Promise<ReadonlySet<number>>;
}

export interface SandboxUsers {
  /** The scope's identity, allocated and recorded on first use. Idempotent. Errors: `RUNTIME_UNAVAILABLE` (range full). */
  ensure(scope: string): Promise<SandboxIdentity>;
}

interface UsersFile {
  version: 1;
  users: Record<string, number>;
}

export const defaultSandboxUidRange = { from: 2_000_100_000, to: 2_000_199_999 };

export function createSandboxUsers(options: SandboxUsersOptions): SandboxUsers {
  const range = options.uidRange ?? defaultSandboxUidRange;
  const readTakenUids = options.readTakenUids ?? readPasswdUids;
  // One allocation at a time, so two scopes started together never get the same uid.
  let queue: Promise<unknown> = Promise.resolve();

  async function allocate(scope: string): Promise<SandboxIdentity> {
    const recorded = await readUsersFile(options.file);
    const known = recorded.users[scope];
    if (known !== undefined) return { uid: known, gid: known };
    const taken = new Set([...Object.values(recorded.users), ...(await readTakenUids())]);
    for (let uid = range.from; uid <= range.to; uid += 1) {
      if (taken.has(uid)) continue;
      await writeAtomically(options.file, { version: 1, users: { ...recorded.users, [scope]: uid } });
      return { uid, gid: uid };
    }
    throw new SlipwayError('RUNTIME_UNAVAILABLE', `no free sandbox uid left in ${range.from}–${range.to}`, {
      details: { from: range.from, to: range.to },
    });
  }

  return {
    ensure(scope) {
      const next = queue.then(() => allocate(scope));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

async function readUsersFile(file: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: {} };
    throw error;
  }
  let parsed: Partial<UsersFile> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<UsersFile>;
  } catch {
    parsed = undefined;
  }
  const users = parsed?.users ?? {};
  const isValid =
    parsed?.version === 1 &&
    Object.values(users).every((uid) => typeof uid === 'number' && Number.isSafeInteger(uid) && uid > 0);
  // A damaged record must not silently hand a scope a new uid (it would lose its files) or another scope's uid.
  if (!isValid) throw new SlipwayError('INTERNAL', `the sandbox user record ${file} is damaged`);
  return { version: 1, users };
}

/** The record survives a crash whole (see `writeFileAtomic`). */
async function writeAtomically(file: string, content: UsersFile): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}

async function readPasswdUids(): Promise<ReadonlySet<number>> {
  let text: string;
  try {
    text = await readFile('/etc/passwd', 'utf8');
  } catch {
    return new Set();
  }
  return new Set(text.split('\n').map((line) => Number(line.split(':')[2])));
}
