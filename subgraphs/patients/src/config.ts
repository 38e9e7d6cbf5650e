import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@clinicult/kit';
import { databaseUrlFor } from '@clinicult/db';

export const patientsConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  /** Defaults to `databaseUrlFor('patients')`: DATABASE_URL_PATIENTS or mysql://root@127.0.0.1:3306/clinicult_patients. */
  DATABASE_URL: z.string().optional(),
  /** admin (the clinic registry): patients reads a clinic's time zone from its internal `clinicInfo`. */
  ADMIN_URL: z.url().default('http://127.0.0.1:4006'),
  /** How long a clinic's time zone is kept in memory (seconds). */
  CLINIC_INFO_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Timeout for calls to admin (ms). */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
});

export type PatientsConfig = Omit<z.infer<typeof patientsConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadPatientsConfig(env: NodeJS.ProcessEnv = process.env): PatientsConfig {
  const parsed = loadConfig(patientsConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('patients', env) };
}
