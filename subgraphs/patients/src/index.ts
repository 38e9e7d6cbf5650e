export { startPatientsService, type RunningPatientsService, type PatientsOverrides } from './service.js';
export { loadPatientsConfig, patientsConfigSchema, type PatientsConfig } from './config.js';
export { createDb, type PatientsDb } from './db.js';
export { createClinicDirectory, staticClinicDirectory } from './adapters/admin.js';
export type { ClinicDirectory, TokenSource } from './domain/ports.js';
export { VISIT_OPERATIONS, renderTransitionTable, type VisitState, type VisitOperation } from './domain/visit-state.js';
export { IDENTIFIER_SYSTEMS } from './domain/search.js';
export type { VisitSnapshot } from './domain/visits.js';
export { seedDemoPatients, type SeedDemoPatientsOptions, type SeedDemoPatientsResult } from './seed.js';
export {
  createArchiveRelay,
  backoffMs,
  ArchiveVisitDocument,
  type ArchiveRelay,
  type ArchiveRelayOptions,
  type ArchiveReceipt,
  type DrainResult,
  type OutboxStats,
} from './archive-relay.js';
