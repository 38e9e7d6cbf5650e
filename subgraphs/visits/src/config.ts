import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@clinicult/kit';
import { databaseUrlFor } from '@clinicult/db';

export const visitsConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  /** Defaults to `databaseUrlFor('visits')`: DATABASE_URL_VISITS or mysql://root@127.0.0.1:3306/clinicult_visits. */
  DATABASE_URL: z.string().optional(),
});

export type VisitsConfig = Omit<z.infer<typeof visitsConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadVisitsConfig(env: NodeJS.ProcessEnv = process.env): VisitsConfig {
  const parsed = loadConfig(visitsConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('visits', env) };
}
