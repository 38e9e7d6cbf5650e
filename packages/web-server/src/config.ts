import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The configuration of a web client's server, from the environment. */
export interface WebConfig {
  PORT: number;
  HOST: string;
  /** The gateway's base URL as the browser reaches it (the app calls `${GATEWAY_URL}/graphql`). */
  GATEWAY_URL: string;
  LOG_LEVEL: (typeof LOG_LEVELS)[number];
}

export class WebConfigError extends Error {
  override name = 'WebConfigError';
}

function schema(defaultPort: number) {
  return z.object({
    PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
    HOST: z.string().min(1).default('127.0.0.1'),
    GATEWAY_URL: z
      .url({ protocol: /^https?$/ })
      .default('http://127.0.0.1:4000')
      .transform((u) => u.replace(/\/+$/, '').replace(/\/graphql$/, '')),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  });
}

/**
 * PORT (default: the app's own port), HOST (127.0.0.1), GATEWAY_URL (http://127.0.0.1:4000; a
 * trailing /graphql is accepted and dropped), LOG_LEVEL (info). Throws a WebConfigError naming each
 * bad variable.
 */
export function loadWebConfig(env: NodeJS.ProcessEnv = process.env, options: { port: number }): WebConfig {
  const parsed = schema(options.port).safeParse({
    PORT: env.PORT || undefined,
    HOST: env.HOST || undefined,
    GATEWAY_URL: env.GATEWAY_URL || undefined,
    LOG_LEVEL: env.LOG_LEVEL || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new WebConfigError(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
