export {
  ensureDataDirectory,
  type Migration,
  type OpenStoreOptions,
  openStore,
  type SqlValue,
  type Store,
} from './store.ts';
