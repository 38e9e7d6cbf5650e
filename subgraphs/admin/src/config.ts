import { z } from 'zod';
import { databaseUrlFor } from '@clinicult/db';
import { baseConfigSchema, loadConfig } from '@clinicult/kit';

/** A cluster (region) name: lower-case letters, digits and dashes, e.g. `eu-1`. */
export const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const clusterList = z
  .string()
  .default('eu-1,us-1')
  .transform((value) => [...new Set(value.split(',').map((c) => c.trim()).filter((c) => c !== ''))])
  .pipe(
    z
      .array(z.string().regex(CLUSTER_NAME, 'each cluster is lower-case letters, digits and dashes (e.g. eu-1)'))
      .min(1, 'name at least one cluster, e.g. CLUSTERS=eu-1,us-1'),
  );

/**
 * admin's configuration (DESIGN.md: port 4006). CLUSTERS lists the clusters (regions) a clinic may
 * be placed in, comma-separated; the first is the default for a new clinic.
 */
export const adminConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4006),
  DATABASE_URL: z.string().min(1).default(databaseUrlFor('admin')),
  USERS_URL: z.url().default('http://127.0.0.1:4002'),
  CLUSTERS: clusterList,
  /** Timeout for calls to auth and users (ms). */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
});
export type AdminConfig = z.infer<typeof adminConfigSchema>;

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  return loadConfig(adminConfigSchema, env);
}
