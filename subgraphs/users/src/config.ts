import { z } from 'zod';
import { baseConfigSchema, clusterUrlsSchema, loadConfig } from '@clinicult/kit';
import { databaseUrlFor } from '@clinicult/db';

export const usersConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4002),
  /** Defaults to `databaseUrlFor('users')`: DATABASE_URL_USERS or mysql://root@127.0.0.1:3306/clinicult_users. */
  DATABASE_URL: z.string().optional(),
  /** admin (the clinic registry): users asks it whether a clinic exists before provisioning its ADMIN. */
  ADMIN_URL: z.url().default('http://127.0.0.1:4006'),
  /** How long an invitation stays open (and its link good). */
  INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  /**
   * Each cluster's Redis (regions), `{"eu-1": "redis://…", …}`: the audit events about a clinic go
   * to the audit service of the clinic's cluster, through that Redis (and users' outbox while it is
   * down). Unset: every cluster shares REDIS_URL.
   */
  CLUSTER_REDIS_URLS: clusterUrlsSchema,
});

export type UsersConfig = Omit<z.infer<typeof usersConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadUsersConfig(env: NodeJS.ProcessEnv = process.env): UsersConfig {
  const parsed = loadConfig(usersConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('users', env) };
}
