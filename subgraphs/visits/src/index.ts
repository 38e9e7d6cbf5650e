export { startVisitsService, type RunningVisitsService, type VisitsOverrides } from './service.js';
export { loadVisitsConfig, visitsConfigSchema, type VisitsConfig } from './config.js';
export { createDb, type VisitsDb } from './db.js';
export { archiveVisit, type ArchiveReceipt } from './domain/archive.js';
export { historyKeysQuery, historyPage, type HistoryArgs } from './domain/history.js';
export { parseSnapshot, SNAPSHOT_VERSION, type ArchivedSnapshot } from './domain/snapshot.js';
