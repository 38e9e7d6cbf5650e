import { can, isAuthenticated, type IRules } from '@clinicult/rbac';

/**
 * Who may call what (graphql-shield; anything not listed is denied). The clinic scope — an ADMIN
 * sees their own clinic's events only — is in the data layer (domain/log.ts).
 */
export const rules: IRules = {
  Query: {
    auditLog: can('clinicult:audit:read'),
  },
  // Reached only through the ruled root field (or `_entities`, which the kit rules).
  AuditEvent: isAuthenticated,
  AuditEventEdge: isAuthenticated,
  AuditEventConnection: isAuthenticated,
  PageInfo: isAuthenticated,
  User: isAuthenticated,
  Patient: isAuthenticated,
};
