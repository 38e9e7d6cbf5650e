import { z } from 'zod';
import { databaseUrlFor } from '@clinicult/db';
import { baseConfigSchema, clusterListSchema, loadConfig } from '@clinicult/kit';

/**
 * admin's configuration (DESIGN.md: port 4006). CLUSTERS lists the clusters (regions) a clinic may
 * be placed in, comma-separated; the first is the default for a new clinic.
 */
export const adminConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4006),
  DATABASE_URL: z.string().min(1).default(databaseUrlFor('admin')),
  USERS_URL: z.url().default('http://127.0.0.1:4002'),
  /** patients and visits: the clinic overview's counts (internal `clinicPatientCounts`, `clinicVisitCounts`). */
  PATIENTS_URL: z.url().default('http://127.0.0.1:4003'),
  VISITS_URL: z.url().default('http://127.0.0.1:4004'),
  CLUSTERS: clusterListSchema,
  /** Timeout for calls to auth, users, patients and visits (ms); an overview figure not in by then is reported unavailable. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Clinics whose overview is gathered at once (each is three calls, one per service). */
  OVERVIEW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
});
export type AdminConfig = z.infer<typeof adminConfigSchema>;

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  return loadConfig(adminConfigSchema, env);
}
