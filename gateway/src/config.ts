import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from '@clinicult/kit';
import { loadTlsSettings, TlsConfigError, type TlsSettings } from '@clinicult/tls';

/**
 * The subgraphs the gateway knows an URL override for (DESIGN.md, services). `<NAME>_URL` is the
 * service's base URL, as everywhere else in the project (`AUTH_URL=http://127.0.0.1:4001`); the
 * gateway calls `<base>/graphql` and checks `<base>/healthz`. Unset: the URL in the supergraph.
 */
export const SUBGRAPH_NAMES = ['auth', 'users', 'patients', 'visits', 'clinic', 'admin', 'audit'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const DEFAULT_ORIGINS = 'http://localhost:3000,http://localhost:3001,http://127.0.0.1:3000,http://127.0.0.1:3001';

const originList = z
  .string()
  .default(DEFAULT_ORIGINS)
  .transform((value) => value.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o !== ''))
  .pipe(
    z.array(
      z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin is scheme://host[:port] without a path, e.g. https://app.example.org'),
    ),
  );

const limit = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  // AUTH_URL is in the base schema (JWKS, session checks) and doubles as auth's subgraph URL.
  USERS_URL: z.url().optional(),
  PATIENTS_URL: z.url().optional(),
  VISITS_URL: z.url().optional(),
  CLINIC_URL: z.url().optional(),
  ADMIN_URL: z.url().optional(),
  AUDIT_URL: z.url().optional(),
  /** The composed supergraph; defaults to the repository's schema/supergraph.graphql. */
  SUPERGRAPH_PATH: z.string().optional(),
  /**
   * The gateway's address as clients reach it (e.g. https://api.clinic.example.org): FHIR Bundle
   * links and Location headers are built from it, never from the request's Host header. Default:
   * the address it listens on.
   */
  PUBLIC_URL: z.url().optional(),
  /**
   * Which peers may tell the gateway the client's address in X-Forwarded-For (Express `trust proxy`,
   * proxy-addr): `false` (default: the connecting peer is the client), a hop count (`1` behind one
   * load balancer), or addresses/CIDRs/`loopback`/`uniquelocal`, comma-separated. auth's login limits
   * count the address this yields.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((value) => value.trim() !== 'true', 'TRUST_PROXY=true would believe any client about its address: give a hop count or the proxies\' addresses')
    .transform((value): false | number | string => {
      const v = value.trim();
      if (v === 'false' || v === '') return false;
      if (/^\d+$/.test(v)) return Number(v);
      return v;
    }),
  /** Browser origins allowed by CORS, comma-separated (the web clients). */
  ALLOWED_ORIGINS: originList,
  /** Query limits (graphql-armor): selection depth, aliases, estimated cost, directives, lexical tokens. */
  MAX_DEPTH: limit(10),
  MAX_ALIASES: limit(15),
  // graphql-armor's estimate with page sizes counted (first: 100 multiplies a page by 100): a page of
  // 100 patients or a 100-visit history fits; a page of pages (patients × history) does not
  MAX_COST: limit(50_000),
  MAX_DIRECTIVES: limit(20),
  MAX_TOKENS: limit(2000),
  /** Largest accepted request body (bytes). */
  MAX_BODY_BYTES: limit(100_000),
  /** How long one subgraph fetch may take (ms). */
  SUBGRAPH_TIMEOUT_MS: limit(15_000),
  /** The queue push (GET /events/queue, queue-events.ts): patients' visit stream it follows. */
  VISIT_EVENTS_STREAM: z.string().min(1).default('events:visits'),
  /** How often an open queue stream checks its session again (ms, at most 30 s: issue 17). */
  QUEUE_EVENTS_RECHECK_MS: z.coerce.number().int().min(1000).max(30_000).default(15_000),
  /** A comment line this often keeps proxies from closing an idle stream (ms). */
  QUEUE_EVENTS_HEARTBEAT_MS: limit(20_000),
  /** At most one push per clinic this often (ms): a burst of changes is one "queue changed". */
  QUEUE_EVENTS_COALESCE_MS: z.coerce.number().int().min(0).default(300),
  /** Open queue streams per person (tabs, screens). */
  QUEUE_EVENTS_MAX_PER_USER: limit(10),
  /** SMART token requests (POST /oauth/token) per client address per minute: each costs auth a lookup and a signature check. */
  TOKEN_REQUESTS_PER_MINUTE: limit(60),
  /** prepended to the gateway's own Redis keys (the token requests' counts): a test platform keeps them apart from other runs' */
  RATE_LIMIT_KEY_PREFIX: z.string().default(''),
});
/** The environment's settings, and HTTPS on the public port (@clinicult/tls: TLS_CERT_FILE, TLS_KEY_FILE, HSTS_MAX_AGE, HTTP_REDIRECT_PORT). */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema> & { TLS: TlsSettings };

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = loadConfig(gatewayConfigSchema, env);
  try {
    const tls = loadTlsSettings(env);
    if (tls.enabled && tls.redirectPort !== undefined && !config.PUBLIC_URL?.startsWith('https://')) {
      throw new TlsConfigError('HTTP_REDIRECT_PORT: the redirect goes to PUBLIC_URL, which must be the https:// origin clients use');
    }
    return { ...config, TLS: tls };
  } catch (error) {
    if (error instanceof TlsConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

/** The `<NAME>_URL` overrides set in the configuration, by subgraph name. */
export function subgraphUrlOverrides(config: GatewayConfig): Partial<Record<SubgraphName, string>> {
  const byName: Record<SubgraphName, string | undefined> = {
    auth: config.AUTH_URL,
    users: config.USERS_URL,
    patients: config.PATIENTS_URL,
    visits: config.VISITS_URL,
    clinic: config.CLINIC_URL,
    admin: config.ADMIN_URL,
    audit: config.AUDIT_URL,
  };
  return Object.fromEntries(Object.entries(byName).filter(([, url]) => url !== undefined)) as Partial<
    Record<SubgraphName, string>
  >;
}
