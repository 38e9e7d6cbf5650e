import { z } from 'zod';
import { databaseUrlFor } from '@clinicult/db';
import { baseConfigSchema, clusterUrlsSchema, ConfigError, loadConfig } from '@clinicult/kit';

export const authConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).default(4001),
  /** Defaults to `databaseUrlFor('auth')`: DATABASE_URL_AUTH or mysql://root@127.0.0.1:3306/clinicult_auth. */
  DATABASE_URL: z.string().optional(),
  /** 14 days (DESIGN.md, tokens) */
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(14 * 24 * 3600),
  SERVICE_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  /** A registered client's (a waiting-room display's) token: it signs in again with its key before this ends. */
  CLIENT_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(3600),
  /** A FHIR API client's access token (SMART Backend Services: five minutes is the recommendation); it asks again with a new assertion. */
  SMART_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(300),
  /**
   * The services' public keys for their client assertions (private_key_jwt), as JSON
   * `{"users": {"keys": [<public JWK>]}, …}`, or SERVICE_JWKS_FILE holding it (npm run keys:generate
   * writes both halves). Required in production; development reads the keys under .clinicult/keys.
   */
  SERVICE_JWKS: z.string().optional(),
  SERVICE_JWKS_FILE: z.string().optional(),
  /** The staff web app: invitation links open its /accept-invitation page, reset links /reset-password. */
  CLINIC_WEB_URL: z.url().default('http://localhost:3000'),
  /** How long a link that sets a first password stays good (users decides an invitation's own expiry). */
  INVITATION_TTL_HOURS: z.coerce.number().int().positive().default(72),
  /** How long a password-reset link stays good. */
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30),
  /** Reset requests per address and per network address per hour (the same answer either way). */
  PASSWORD_RESET_MAX_PER_EMAIL: z.coerce.number().int().positive().default(3),
  PASSWORD_RESET_MAX_PER_IP: z.coerce.number().int().positive().default(20),
  /**
   * Where mail goes (nodemailer's SMTP URL, e.g. smtps://user:pass@smtp.example.org:465). Development
   * and tests default to the mail catcher that `npm start` runs; production must set it.
   */
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Clinicult <no-reply@clinicult.test>'),
  /** How often the mail relay looks for mail to send, and how many tries before a mail is "not delivered". */
  MAIL_RELAY_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  /** The first retry waits this long; each later one twice as long (with jitter). */
  MAIL_RETRY_BASE_MS: z.coerce.number().int().positive().default(5000),
  /**
   * 32 bytes (base64) that encrypt TOTP secrets at rest (AES-256-GCM). Development and tests use a
   * fixed development key; production must set its own.
   */
  MFA_SECRET_KEY: z.string().optional(),
  /** Passkeys: the relying party is the web apps' host name (WebAuthn refuses IP addresses). */
  WEBAUTHN_RP_ID: z.string().default('localhost'),
  WEBAUTHN_RP_NAME: z.string().default('Clinicult'),
  /** The origins allowed to use passkeys (the staff app and the operator console). */
  WEBAUTHN_ORIGINS: z.string().default('http://localhost:3000,http://localhost:3001'),
  /** How long a half sign-in (password right, second factor pending) stays open. */
  LOGIN_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  /** a new signing key after this many days; old keys keep verifying until their tokens expire */
  KEY_ROTATION_DAYS: z.coerce.number().positive().default(30),
  /** how often each instance reloads the keys from the database (and rotates when due) */
  KEY_REFRESH_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * Failed logins (login-limits.ts): this many for one account from one address lock that address out
   * of it (and, from any addresses, start the account's progressive delay) …
   */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  /** … this many from one address, across accounts, lock the address out … */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(50),
  /** … for this long (also the window the failures are counted in) … */
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  /** … and an account's delay doubles from 1 s up to this. */
  LOGIN_MAX_DELAY_SECONDS: z.coerce.number().int().positive().default(10),
  /** prepended to auth's own Redis keys (login and reset counts, seen client assertions): a test platform keeps them apart from other runs' */
  RATE_LIMIT_KEY_PREFIX: z.string().default(''),
  /** how often auth checks that Redis still holds the revocation facts (re-warms after a Redis restart) and beats its heartbeat there */
  FACTS_WARM_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /**
   * Each cluster's Redis, `{"eu-1": "redis://…", "us-1": "redis://…"}`: auth keeps the revocation
   * facts in each of them besides its own (REDIS_URL), so a cluster checks sessions at home. Unset:
   * every cluster shares REDIS_URL.
   */
  CLUSTER_REDIS_URLS: clusterUrlsSchema,
});
export type AuthConfig = Omit<z.infer<typeof authConfigSchema>, 'DATABASE_URL' | 'SMTP_URL'> & { DATABASE_URL: string; SMTP_URL: string };

/** The mail catcher `npm start` runs in development (packages/mail-catcher). */
export const DEV_SMTP_URL = 'smtp://127.0.0.1:1025';

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const parsed = loadConfig(authConfigSchema, env);
  if (parsed.NODE_ENV === 'production') {
    if (!parsed.SMTP_URL) throw new ConfigError('SMTP_URL is required in production: invitation and reset links go only by email.');
    if (!parsed.MFA_SECRET_KEY) throw new ConfigError('MFA_SECRET_KEY (32 random bytes, base64) is required in production.');
  }
  return {
    ...parsed,
    SMTP_URL: parsed.SMTP_URL ?? DEV_SMTP_URL,
    DATABASE_URL: parsed.DATABASE_URL ?? databaseUrlFor('auth', env),
  };
}

export function webauthnOrigins(config: AuthConfig): string[] {
  return config.WEBAUTHN_ORIGINS.split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
