export {
  createFileAtomic,
  renameDirectoryDurably,
  renameDurably,
  syncDirectory,
  writeFileAtomic,
} from './atomic-file.js';
export type { AtomicFileOptions } from './atomic-file.js';
