import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@clinicult/kit';
import { databaseUrlFor } from '@clinicult/db';

export const patientsConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  /** Defaults to `databaseUrlFor('patients')`: DATABASE_URL_PATIENTS or mysql://root@127.0.0.1:3306/clinicult_patients. */
  DATABASE_URL: z.string().optional(),
  /** admin (the clinic registry): patients reads a clinic's time zone from its internal `clinicInfo`. */
  ADMIN_URL: z.url().default('http://127.0.0.1:4006'),
  /** clinic (settings, templates): checkIn copies the chosen template's version from its internal `templateForVisit`. */
  CLINIC_URL: z.url().default('http://127.0.0.1:4005'),
  /** How long a clinic's time zone is kept in memory (seconds). */
  CLINIC_INFO_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Timeout for calls to admin (ms). */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  /** visits (the archive of finished visits): the archive relay delivers the outbox to its internal `archiveVisit`. */
  VISITS_URL: z.url().default('http://127.0.0.1:4004'),
  /** `false` turns the archive relay off in this process (tests that do not want it; replicas that should not relay). */
  ARCHIVE_RELAY_ENABLED: z.stringbool().default(true),
  /** Pause between the relay's rounds while all goes well (ms). */
  ARCHIVE_RELAY_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  /** Outbox rows claimed per round. */
  ARCHIVE_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  /** Calls to visits in flight at once within a batch. */
  ARCHIVE_RELAY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** First retry delay after a failed delivery (ms); doubles per attempt, with jitter, up to the cap. */
  ARCHIVE_RELAY_BASE_BACKOFF_MS: z.coerce.number().int().min(1).default(1000),
  /** Cap of the retry delay (ms). */
  ARCHIVE_RELAY_MAX_BACKOFF_MS: z.coerce.number().int().min(1).default(60_000),
  /** How long a relay's claim on a batch holds (ms); must be at least twice UPSTREAM_TIMEOUT_MS. */
  ARCHIVE_RELAY_LEASE_MS: z.coerce.number().int().min(1).default(60_000),
  /** Refusals by visits (BAD_USER_INPUT, FORBIDDEN) before a row is parked for an operator. */
  ARCHIVE_RELAY_MAX_REFUSALS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Delivered outbox rows are deleted after this many days (0 keeps them). */
  ARCHIVE_OUTBOX_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(7),
  /** The stream `visit.checked_in` is published on (visits warms the patient's history cache). */
  VISIT_EVENTS_STREAM: z.string().min(1).default('events:visits'),
});

export type PatientsConfig = Omit<z.infer<typeof patientsConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadPatientsConfig(env: NodeJS.ProcessEnv = process.env): PatientsConfig {
  const parsed = loadConfig(patientsConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('patients', env) };
}
