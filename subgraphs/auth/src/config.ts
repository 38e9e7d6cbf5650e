import { z } from 'zod';
import { databaseUrlFor } from '@clinicult/db';
import { baseConfigSchema, devServiceSecret, loadConfig } from '@clinicult/kit';
import { SERVICE_CLIENTS } from '@clinicult/rbac';

export const authConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).default(4001),
  /** Defaults to `databaseUrlFor('auth')`: DATABASE_URL_AUTH or mysql://root@127.0.0.1:3306/clinicult_auth. */
  DATABASE_URL: z.string().optional(),
  /** 14 days (DESIGN.md, tokens) */
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(14 * 24 * 3600),
  SERVICE_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  /** `users=secret,admin=secret`; development falls back to per-service dev secrets */
  SERVICE_CLIENT_SECRETS: z.string().optional(),
  INVITATION_TTL_HOURS: z.coerce.number().int().positive().default(72),
  /** a new signing key after this many days; old keys keep verifying until their tokens expire */
  KEY_ROTATION_DAYS: z.coerce.number().positive().default(30),
  /** how often each instance reloads the keys from the database (and rotates when due) */
  KEY_REFRESH_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
  /** failed logins per account before a lockout, and its length */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(50),
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  /** how often auth checks that Redis still holds the revocation facts (re-warms after a Redis restart) */
  FACTS_WARM_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
});
export type AuthConfig = Omit<z.infer<typeof authConfigSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const parsed = loadConfig(authConfigSchema, env);
  return { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('auth', env) };
}

/** client_id → secret for client-credentials service tokens. */
export function serviceClientSecrets(config: AuthConfig): Map<string, string> {
  if (config.SERVICE_CLIENT_SECRETS) {
    return new Map(
      config.SERVICE_CLIENT_SECRETS.split(',')
        .map((pair) => pair.trim().split('='))
        .filter((pair): pair is [string, string] => pair.length === 2 && !!pair[0] && !!pair[1]),
    );
  }
  if (config.NODE_ENV === 'production') throw new Error('SERVICE_CLIENT_SECRETS is required in production');
  return new Map(Object.keys(SERVICE_CLIENTS).map((name) => [name, devServiceSecret(name)]));
}
