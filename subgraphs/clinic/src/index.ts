export { startClinicService, type RunningClinicService, type ClinicOverrides } from './service.js';
export { loadClinicConfig, clinicConfigSchema, type ClinicConfig } from './config.js';
export { createDb, type ClinicDb } from './db.js';
export { CLINIC_CREATED, TEMPLATE_PUBLISHED, createClusterHandler, subscribeClusterEvents } from './cluster-events.js';
export { DEFAULT_TEMPLATES, DEFAULT_VISIT_REASONS, DEFAULT_OPENING_HOURS } from './domain/defaults.js';
