export { startAuditService, type AuditServiceOverrides, type RunningAuditService } from './service.js';
export { loadAuditConfig, auditConfigSchema, type AuditConfig } from './config.js';
export { createDb, type AuditDb } from './db.js';
export { storeAuditEvent, toAuditRow, auditRecordSchema, InvalidAuditEvent } from './domain/events.js';
