import { z } from 'zod';
import { CLUSTER_NAME, IDENTITY_STREAM } from '@clinicult/contracts';
import { clusterUrlsSchema } from './clusters.js';

/**
 * Configuration shared by every service, read from the environment and checked with zod so a
 * mistyped variable fails at start with a message naming it. Services extend it with their own keys.
 */
export const baseConfigSchema = z.object({
  /**
   * Unset means production: a service started without saying otherwise never runs with known
   * development keys, the playground or introspection. `npm start` says development, the tests test.
   */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `redis://[:password@]host:port[/db]`, or `rediss://…` for TLS (docs/operations.md, Redis). */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** The CA certificate (PEM file) that signed Redis's TLS certificate, when not a system CA. */
  REDIS_CA_FILE: z.string().optional(),
  AUTH_URL: z.url().default('http://127.0.0.1:4001'),
  JWT_ISSUER: z.string().default('https://auth.clinicult.local'),
  JWT_AUDIENCE: z.string().default('clinicult'),
  /** Defaults to `${AUTH_URL}/.well-known/jwks.json`. */
  JWKS_URL: z.url().optional(),
  /** External-IdP mode: tokens from this issuer, verified with this JWKS, are accepted too. */
  EXTERNAL_IDP_ISSUER: z.string().optional(),
  EXTERNAL_IDP_JWKS_URL: z.url().optional(),
  EXTERNAL_IDP_AUDIENCE: z.string().optional(),
  /**
   * This service's Ed25519 private JWK (JSON), with which it signs its client assertions to auth
   * (private_key_jwt); or SERVICE_KEY_FILE, a file holding it. Required in production for the
   * services that call others (development generates one per machine: service-keys.ts).
   */
  SERVICE_KEY: z.string().optional(),
  SERVICE_KEY_FILE: z.string().optional(),
  /** The stream of identity changes (memberships, account and clinic access); tests use one of their own. */
  IDENTITY_STREAM: z.string().min(1).default(IDENTITY_STREAM),
  /**
   * How long a producer of an identity change (users, admin) waits after its commit for auth to
   * have applied it, so the person's next sign-in sees it; auth applies it later in any case.
   */
  IDENTITY_APPLY_WAIT_MS: z.coerce.number().int().min(0).default(2000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * On SIGTERM, /readyz answers 503 first and the service keeps serving this long (a load balancer
   * takes it out of rotation meanwhile), then drains. 0: drain at once. On Kubernetes, whose
   * endpoints drop a terminating pod by themselves, the pod's preStop covers it (docs/kubernetes.md).
   */
  SHUTDOWN_READINESS_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /**
   * The longest one statement of a search may run (a service declared with `searchDatabase`):
   * then the server interrupts it and the caller is asked to narrow the search (BAD_USER_INPUT).
   */
  SEARCH_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(3000),
  /**
   * The cluster (region) this process serves (docs/architecture.md, planes and regional clusters):
   * set, a staff token must name it (`cl`) or is refused with WRONG_REGION; unset (one cluster
   * serves every clinic, and the platform plane), no token is refused for its region.
   */
  CLUSTER: z.string().regex(CLUSTER_NAME, 'is a cluster name: lower-case letters, digits and dashes (e.g. eu-1)').optional(),
  /** Each cluster's public GraphQL API, `{"eu-1": "https://eu-1.api.example/graphql", …}`: where a refused token is sent, and `AuthPayload.apiUrl`. */
  CLUSTER_API_URLS: clusterUrlsSchema,
  /**
   * The revocation facts in Redis are trusted only while auth's heartbeat (`ready`, rewritten every
   * few seconds) is younger than this; older (auth, or the link from the platform to this cluster,
   * is down), every session is checked with auth, and refused when auth cannot answer (fail closed).
   * Default: 30 s in a cluster (CLUSTER set), whose facts only auth writes; none in a deployment of
   * one cluster, whose Redis also gets every identity change straight from users and admin (the
   * kit's facts consumer), so the facts stay whole while auth is down.
   */
  FACTS_MAX_AGE_MS: z.coerce.number().int().min(1000).optional(),
  /** /healthz, /readyz and /metrics on their own port, for probes and scrapers (default: PORT + 5000). */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
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
