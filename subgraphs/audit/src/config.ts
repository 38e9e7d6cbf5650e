import { hostname } from 'node:os';
import { z } from 'zod';
import { databaseUrlFor } from '@clinicult/db';
import { AUDIT_STREAM, baseConfigSchema, loadConfig } from '@clinicult/kit';

/** audit's configuration (DESIGN.md: port 4007). */
export const auditConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4007),
  /** Defaults to `databaseUrlFor('audit')`: DATABASE_URL_AUDIT or mysql://root@127.0.0.1:3306/clinicult_audit. */
  DATABASE_URL: z.string().optional(),
  /** The stream every service's audit trail publishes to (the kit's AUDIT_STREAM). */
  AUDIT_STREAM: z.string().min(1).default(AUDIT_STREAM),
  /** The consumer group: every audit process shares it, so each event is stored by one of them. */
  AUDIT_GROUP: z.string().min(1).default('audit'),
  /** This process's consumer name in the group; keep it stable across restarts to resume its pending events. */
  AUDIT_CONSUMER: z.string().min(1).default(`${hostname()}-${process.pid}`),
});

export type AuditConfig = Omit<z.infer<typeof auditConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  const parsed = loadConfig(auditConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('audit', env) };
}
