import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@clinicult/kit';
import { databaseUrlFor } from '@clinicult/db';

export const visitsConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  /** Defaults to `databaseUrlFor('visits')`: DATABASE_URL_VISITS or mysql://root@127.0.0.1:3306/clinicult_visits. */
  DATABASE_URL: z.string().optional(),
  /** How long a patient's cached first history page lives in Redis (seconds); Redis may evict it before (volatile-lru: only keys with a TTL, such as this one). */
  HISTORY_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  /** The stream patients publishes `visit.checked_in` on; visits warms that patient's history cache. */
  VISIT_EVENTS_STREAM: z.string().min(1).default('events:visits'),
});

export type VisitsConfig = Omit<z.infer<typeof visitsConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadVisitsConfig(env: NodeJS.ProcessEnv = process.env): VisitsConfig {
  const parsed = loadConfig(visitsConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('visits', env) };
}
