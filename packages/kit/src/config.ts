import { z } from 'zod';

/**
 * Configuration shared by every service, read from the environment and checked with zod so a
 * mistyped variable fails at start with a message naming it. Services extend it with their own keys.
 */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  AUTH_URL: z.url().default('http://127.0.0.1:4001'),
  JWT_ISSUER: z.string().default('https://auth.clinicult.local'),
  JWT_AUDIENCE: z.string().default('clinicult'),
  /** Defaults to `${AUTH_URL}/.well-known/jwks.json`. */
  JWKS_URL: z.url().optional(),
  /** External-IdP mode: tokens from this issuer, verified with this JWKS, are accepted too. */
  EXTERNAL_IDP_ISSUER: z.string().optional(),
  EXTERNAL_IDP_JWKS_URL: z.url().optional(),
  EXTERNAL_IDP_AUDIENCE: z.string().optional(),
  /** This service's client secret for service tokens (client credentials at auth). */
  SERVICE_CLIENT_SECRET: z.string().optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** Development-only default secret for a service client; production must set SERVICE_CLIENT_SECRET. */
export function devServiceSecret(service: string): string {
  return `dev-only-service-secret-${service}`;
}

export function serviceSecret(service: string, config: BaseConfig): string {
  if (config.SERVICE_CLIENT_SECRET) return config.SERVICE_CLIENT_SECRET;
  if (config.NODE_ENV === 'production') throw new ConfigError('SERVICE_CLIENT_SECRET is required in production');
  return devServiceSecret(service);
}
