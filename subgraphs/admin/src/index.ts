export { startAdminService, type AdminServiceOverrides, type RunningAdminService } from './service.js';
export { loadAdminConfig, adminConfigSchema, type AdminConfig } from './config.js';
export { clusterStream } from '@clinicult/kit';
export { CLINIC_EVENT_TYPES, type ClinicEventType, type ClinicEventPayload } from './domain/events.js';
export type { AdminProvisioner, ProvisionedInvitation } from './domain/ports.js';
export type { ClinicAccess } from './domain/clinics.js';
