export {
  ensureDataDirectory,
  type Migration,
  type OpenStoreOptions,
  openStore,
  type PendingWriter,
  type SqlValue,
  type Store,
} from './store.ts';
export { WAL_CHECKPOINT_BYTES, walCheckpointStats } from './wal-checkpointer.ts';
export { type WhenFull, type WriteBehindOptions, WriteBehindQueue, type WriteBehindStats } from './write-behind.ts';
