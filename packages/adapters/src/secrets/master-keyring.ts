/**
 * The master keys slipwayd holds: the current one, which wraps data keys, and while a rotation is under way the
 * previous ones, which still unwrap what is not re-wrapped yet. Keys come from `SLIPWAY_MASTER_KEY` (with
 * `SLIPWAY_PREVIOUS_MASTER_KEYS` to rotate away from old ones by a restart), or from a key file slipwayd creates on
 * first start and can rotate itself.
 */
import { SlipwayError } from '@slipway/contract';
import { decodeMasterKey, generateMasterKey, type MasterKey } from './master-key.js';
import {
  createMasterKeyFile,
  pendingKeyFile,
  promotePendingKeyFile,
  readMasterKeyFile,
  writePendingKeyFile,
} from './master-key-file.js';

/** `file`: slipwayd's key file; `environment`: given by the operator; `memory`: a throw-away key (tests). */
export type MasterKeySource = 'file' | 'environment' | 'memory';

export interface MasterKeyring {
  readonly source: MasterKeySource;
  /** The key file, when the source is `file`. */
  readonly file: string | undefined;
  /** The key that wraps data keys now. */
  current(): MasterKey;
  /** A held key by id (current or previous). */
  find(id: string): MasterKey | undefined;
  /** Ids of the keys held other than the current one; non-empty while a rotation is unfinished. */
  previousIds(): string[];
  /**
   * Makes a new random key current, keeping the old ones for unwrapping; with a key file the new key is first
   * written beside it (`master.key.next`), so a crash before `completeRotation` loses nothing.
   * Errors: `MASTER_KEY_NOT_ROTATABLE` when the key comes from the environment.
   */
  beginRotation(): Promise<MasterKey>;
  /**
   * Forgets every key but the current one; with a key file the pending key replaces the old one on disk. Call only
   * once nothing is wrapped by another key.
   */
  completeRotation(): Promise<void>;
}

export interface LoadMasterKeyringOptions {
  /** The key file: read, or created with a new key (mode 0600) when absent. Ignored when `environmentKey` is set. */
  file: string;
  /** `SLIPWAY_MASTER_KEY`: the base64 of 32 bytes. */
  environmentKey?: string | undefined;
  /** `SLIPWAY_PREVIOUS_MASTER_KEYS`: comma-separated base64 keys data keys may still be wrapped by. */
  previousEnvironmentKeys?: string | undefined;
}

function createKeyring(
  source: MasterKeySource,
  file: string | undefined,
  initial: MasterKey,
  previous: readonly MasterKey[],
): MasterKeyring {
  let current = initial;
  const held = new Map<string, MasterKey>([...previous, initial].map((k) => [k.id, k]));
  return {
    source,
    file,
    current: () => current,
    find: (id) => held.get(id),
    previousIds: () => [...held.keys()].filter((id) => id !== current.id),
    async beginRotation() {
      if (source === 'environment') {
        throw new SlipwayError(
          'MASTER_KEY_NOT_ROTATABLE',
          'the master key comes from SLIPWAY_MASTER_KEY, so slipwayd cannot replace it: restart slipwayd with the ' +
            'new key in SLIPWAY_MASTER_KEY and the old one in SLIPWAY_PREVIOUS_MASTER_KEYS; it re-wraps every data ' +
            'key on start, after which the old key can go',
        );
      }
      const next = generateMasterKey();
      if (file !== undefined) await writePendingKeyFile(file, next);
      held.set(next.id, next);
      current = next;
      return next;
    },
    async completeRotation() {
      if (source === 'file' && file !== undefined && held.size > 1) await promotePendingKeyFile(file);
      for (const id of [...held.keys()]) if (id !== current.id) held.delete(id);
    },
  };
}

/**
 * Loads the keyring. With a key file, a pending key left by an interrupted rotation is current and the file's key
 * previous, so the rotation can be finished. Errors: `MASTER_KEY_INVALID` (malformed key), `MASTER_KEY_INSECURE`
 * (a key file group or others may read).
 */
export async function loadMasterKeyring(options: LoadMasterKeyringOptions): Promise<MasterKeyring> {
  if (options.environmentKey !== undefined && options.environmentKey !== '') {
    const current = decodeMasterKey(options.environmentKey, 'SLIPWAY_MASTER_KEY');
    const previous = (options.previousEnvironmentKeys ?? '')
      .split(',')
      .filter((text) => text.trim() !== '')
      .map((text, index) => decodeMasterKey(text, `SLIPWAY_PREVIOUS_MASTER_KEYS (key ${index + 1})`));
    return createKeyring('environment', undefined, current, previous);
  }
  if (options.previousEnvironmentKeys !== undefined && options.previousEnvironmentKeys !== '') {
    throw new SlipwayError(
      'MASTER_KEY_INVALID',
      'SLIPWAY_PREVIOUS_MASTER_KEYS is set without SLIPWAY_MASTER_KEY: give the new key in SLIPWAY_MASTER_KEY too',
    );
  }
  const file = options.file;
  const pending = await readMasterKeyFile(pendingKeyFile(file));
  const stored = await readMasterKeyFile(file);
  if (pending !== undefined && stored === undefined) await promotePendingKeyFile(file);
  if (pending !== undefined) return createKeyring('file', file, pending, stored === undefined ? [] : [stored]);
  return createKeyring('file', file, stored ?? (await createMasterKeyFile(file)), []);
}

/** A keyring with one random key held in memory only (tests); rotation works, without files. */
export function createMemoryMasterKeyring(key: MasterKey = generateMasterKey()): MasterKeyring {
  return createKeyring('memory', undefined, key, []);
}
