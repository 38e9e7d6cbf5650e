import { loadTlsSettings, TlsConfigError, type TlsSettings } from '@clinicult/tls';
import { clusterUrlsSchema } from '@clinicult/contracts';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The configuration of a web client's server, from the environment. */
export interface WebConfig {
  PORT: number;
  HOST: string;
  /** The gateway's base URL as the browser reaches it (the app calls `${GATEWAY_URL}/graphql`). */
  GATEWAY_URL: string;
  LOG_LEVEL: (typeof LOG_LEVELS)[number];
  /**
   * Each region's API (`CLUSTER_API_URLS`, JSON `{"eu-1": "https://…/graphql", …}`), where the
   * staff app sends a clinic's requests after sign-in (AuthPayload.apiUrl): allowed by the CSP.
   */
  CLUSTER_API_URLS: Record<string, string>;
  /** The app's own origin as browsers reach it (https://app.clinic.example): where HTTP_REDIRECT_PORT sends them. */
  PUBLIC_URL?: string;
  /** HTTPS on the public port (@clinicult/tls: TLS_CERT_FILE, TLS_KEY_FILE, HSTS_MAX_AGE, HTTP_REDIRECT_PORT). */
  TLS: TlsSettings;
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
    // the browser goes there: http(s) only
    CLUSTER_API_URLS: clusterUrlsSchema.refine((urls) => Object.values(urls).every((u) => /^https?:\/\//.test(u)), 'each API is an http(s) URL'),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/ })
      .transform((u) => new URL(u).origin)
      .optional(),
  });
}

/**
 * PORT (default: the app's own port), HOST (127.0.0.1), GATEWAY_URL (http://127.0.0.1:4000; a
 * trailing /graphql is accepted and dropped), LOG_LEVEL (info), CLUSTER_API_URLS ({}), PUBLIC_URL, and the TLS settings. Throws a WebConfigError naming each
 * bad variable.
 */
export function loadWebConfig(env: NodeJS.ProcessEnv = process.env, options: { port: number }): WebConfig {
  const parsed = schema(options.port).safeParse({
    PORT: env.PORT || undefined,
    HOST: env.HOST || undefined,
    GATEWAY_URL: env.GATEWAY_URL || undefined,
    LOG_LEVEL: env.LOG_LEVEL || undefined,
    CLUSTER_API_URLS: env.CLUSTER_API_URLS || undefined,
    PUBLIC_URL: env.PUBLIC_URL || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new WebConfigError(`Invalid configuration: ${problems}`);
  }
  try {
    const tls = loadTlsSettings(env);
    if (tls.enabled && tls.redirectPort !== undefined && !parsed.data.PUBLIC_URL?.startsWith('https://')) {
      throw new TlsConfigError('HTTP_REDIRECT_PORT: the redirect goes to PUBLIC_URL, which must be the https:// origin browsers use');
    }
    const { PUBLIC_URL, ...rest } = parsed.data;
    return { ...rest, ...(PUBLIC_URL ? { PUBLIC_URL } : {}), TLS: tls };
  } catch (error) {
    if (error instanceof TlsConfigError) throw new WebConfigError(error.message);
    throw error;
  }
}
