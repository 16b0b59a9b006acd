/** Decides, before anything is written, whether every entry of an archive stays inside the destination, and where each one lands. */
import { SlipwayError } from '@slipway/contract';

export interface ArchiveEntry {
  /** Path as written in the archive. */
  path: string;
  /** tar's entry type name: `File`, `Directory`, `SymbolicLink`, `Link`, `CharacterDevice` … */
  type: string;
  linkpath: string | undefined;
  sizeBytes: number;
}

export interface PlannedEntry {
  /** Normalised path relative to the destination (single top-level directory stripped); undefined when skipped. */
  target: string | undefined;
  /** For hard links: the normalised target path, relative to the destination. */
  linkTarget: string | undefined;
}

const fileTypes = new Set(['File', 'OldFile', 'ContiguousFile']);
const directoryTypes = new Set(['Directory', 'GNUDumpDir']);

function unsafe(entry: ArchiveEntry, why: string): SlipwayError {
  return new SlipwayError('ARCHIVE_UNSAFE', `archive entry "${entry.path}" ${why}; nothing was extracted from it`, {
    details: { entry: entry.path, reason: why },
  });
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('\\');
}

/** Path segments without empty and `.` parts; `..` is kept for the caller to judge. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '' && segment !== '.');
}

/** True when the archive is one top-level directory and nothing else (GitHub-style tarballs). */
function hasSingleTopDirectory(entries: readonly ArchiveEntry[]): boolean {
  const tops = new Set<string>();
  let hasNested = false;
  for (const entry of entries) {
    const segments = segmentsOf(entry.path);
    const [top] = segments;
    if (top === undefined) continue;
    tops.add(top);
    if (segments.length > 1) hasNested = true;
    else if (!directoryTypes.has(entry.type)) return false;
  }
  return tops.size === 1 && hasNested;
}

/**
 * Validates all entries and maps each to its destination path. Errors: `ARCHIVE_UNSAFE` naming the first entry that is
 * absolute, uses `..`, is a device or FIFO (or any other special type), sits under a symlink, or links outside.
 *
 * Symlink targets must be relative, with `..` only as leading segments, and must resolve inside the tree: every
 * directory an entry lands in is a real one (entries under symlinks are refused), so leading `..` climb real
 * directories, and any link met on the way down was itself checked — the tree cannot be left by chaining links.
 */
export function planArchiveEntries(entries: readonly ArchiveEntry[]): {
  isTopDirectoryStripped: boolean;
  planned: PlannedEntry[];
} {
  const isTopDirectoryStripped = hasSingleTopDirectory(entries);
  const strip = isTopDirectoryStripped ? 1 : 0;
  const symlinks = new Set<string>();
  const files = new Set<string>();
  const planned: PlannedEntry[] = [];

  for (const entry of entries) {
    if (isAbsolutePath(entry.path)) throw unsafe(entry, 'has an absolute path');
    const allSegments = segmentsOf(entry.path);
    if (allSegments.includes('..')) throw unsafe(entry, 'has a ".." path segment');
    const isDirectory = directoryTypes.has(entry.type);
    if (!isDirectory && !fileTypes.has(entry.type) && entry.type !== 'SymbolicLink' && entry.type !== 'Link') {
      throw unsafe(entry, `is a ${entry.type} entry (devices, FIFOs and special entries are refused)`);
    }
    const segments = allSegments.slice(strip);
    if (segments.length === 0) {
      if (!isDirectory) throw unsafe(entry, 'would replace the destination directory itself');
      planned.push({ target: undefined, linkTarget: undefined });
      continue;
    }
    for (let depth = 1; depth < segments.length; depth += 1) {
      const parent = segments.slice(0, depth).join('/');
      if (symlinks.has(parent)) throw unsafe(entry, `lies under the symlink "${parent}"`);
    }
    const target = segments.join('/');
    let linkTarget: string | undefined;

    if (entry.type === 'SymbolicLink') {
      const linkpath = entry.linkpath ?? '';
      if (linkpath === '' || isAbsolutePath(linkpath))
        throw unsafe(entry, `is a symlink to "${linkpath}" outside the archive`);
      const linkSegments = segmentsOf(linkpath);
      const ups = linkSegments.findIndex((segment) => segment !== '..');
      const upCount = ups === -1 ? linkSegments.length : ups;
      if (linkSegments.slice(upCount).includes('..'))
        throw unsafe(entry, `is a symlink to "${linkpath}", which climbs back up after descending`);
      if (upCount > segments.length - 1) throw unsafe(entry, `is a symlink to "${linkpath}" outside the archive`);
      symlinks.add(target);
    } else if (entry.type === 'Link') {
      const linkpath = entry.linkpath ?? '';
      const linkSegments = segmentsOf(linkpath);
      if (linkpath === '' || isAbsolutePath(linkpath) || linkSegments.includes('..'))
        throw unsafe(entry, `is a hard link to "${linkpath}" outside the archive`);
      linkTarget = linkSegments.slice(strip).join('/');
      if (!files.has(linkTarget))
        throw unsafe(entry, `is a hard link to "${linkpath}", which is not a regular file earlier in the archive`);
    } else {
      symlinks.delete(target);
    }
    if (fileTypes.has(entry.type)) files.add(target);
    else files.delete(target);
    planned.push({ target, linkTarget });
  }
  return { isTopDirectoryStripped, planned };
}
