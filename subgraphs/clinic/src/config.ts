import { z } from 'zod';
import { baseConfigSchema, clusterListSchema, loadConfig } from '@clinicult/kit';
import { databaseUrlFor } from '@clinicult/db';

/**
 * clinic's configuration (DESIGN.md: port 4005). CLUSTERS lists the clusters whose streams
 * (`events:cluster:<cluster>`) this deployment of clinic consumes: clinic.created (defaults) and
 * template.published (the global catalogue). In production each region runs its own clinic with
 * its own cluster; here all clusters share one Redis and one clinic service.
 */
export const clinicConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4005),
  /** Defaults to `databaseUrlFor('clinic')`: DATABASE_URL_CLINIC or mysql://root@127.0.0.1:3306/clinicult_clinic. */
  DATABASE_URL: z.string().optional(),
  CLUSTERS: clusterListSchema,
  /**
   * How long an event whose handler failed (or whose consumer died) stays pending before it is
   * retried (ms). Keep it above the slowest handler.
   */
  EVENT_RETRY_AFTER_MS: z.coerce.number().int().min(50).max(600_000).default(30_000),
  /** users (the platform plane): the names of the staff directory come from its internal `staffNames`. */
  USERS_URL: z.url().default('http://127.0.0.1:4002'),
  /** A name in the staff directory is asked of users again after this long (a changed name shows then). */
  STAFF_DIRECTORY_TTL_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  /** The longest a call to users may take (ms): the directory then answers with what it has. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
});

export type ClinicConfig = Omit<z.infer<typeof clinicConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadClinicConfig(env: NodeJS.ProcessEnv = process.env): ClinicConfig {
  const parsed = loadConfig(clinicConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('clinic', env) };
}
