import { z } from 'zod';
import { databaseUrlFor } from '@clinicult/db';
import { baseConfigSchema, clusterListSchema, clusterUrlsSchema, ConfigError, jsonText, loadConfig } from '@clinicult/kit';

/**
 * admin's configuration (DESIGN.md: port 4006). CLUSTERS lists the clusters (regions) a clinic may
 * be placed in, comma-separated; the first is the default for a new clinic.
 */
export const adminConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4006),
  DATABASE_URL: z.string().min(1).default(databaseUrlFor('admin')),
  USERS_URL: z.url().default('http://127.0.0.1:4002'),
  /** patients and visits: the clinic overview's counts (internal `clinicPatientCounts`, `clinicVisitCounts`). */
  PATIENTS_URL: z.url().default('http://127.0.0.1:4003'),
  VISITS_URL: z.url().default('http://127.0.0.1:4004'),
  CLUSTERS: clusterListSchema,
  /**
   * Each cluster's own patients and visits (regions, issue 16), as JSON:
   * `{"us-1": {"patients": "http://patients.us-1:4003", "visits": "http://visits.us-1:4004"}}`.
   * A cluster not listed (or a service not named) is reached at PATIENTS_URL / VISITS_URL, as in a
   * deployment of one cluster.
   */
  CLUSTER_SERVICES: jsonText('{"<cluster>": {"patients": "<url>", "visits": "<url>"}}').pipe(
    z.record(z.string().min(1), z.object({ patients: z.url().optional(), visits: z.url().optional() }).strict()),
  ),
  /**
   * Each cluster's own Redis, `{"eu-1": "redis://…", "us-1": "redis://…"}`: a cluster's clinic and
   * template events are relayed there from admin's outbox by a relay of its own. A cluster not
   * listed shares REDIS_URL.
   */
  CLUSTER_REDIS_URLS: clusterUrlsSchema,
  /** Timeout for calls to auth, users, patients and visits (ms); an overview figure not in by then is reported unavailable. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Clinics whose overview is gathered at once (each is three calls, one per service). */
  OVERVIEW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
});
export type AdminConfig = z.infer<typeof adminConfigSchema>;

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const config = loadConfig(adminConfigSchema, env);
  for (const [name, perCluster] of [['CLUSTER_SERVICES', config.CLUSTER_SERVICES], ['CLUSTER_REDIS_URLS', config.CLUSTER_REDIS_URLS]] as const) {
    const unknown = Object.keys(perCluster).filter((cluster) => !config.CLUSTERS.includes(cluster));
    if (unknown.length > 0) {
      throw new ConfigError(`Invalid configuration: ${name}: ${unknown.join(', ')} not in CLUSTERS (${config.CLUSTERS.join(', ')})`);
    }
  }
  return config;
}

/** Where a clinic's counts are asked: its cluster's patients or visits (CLUSTER_SERVICES), else PATIENTS_URL / VISITS_URL. */
export function countingUrl(config: Pick<AdminConfig, 'CLUSTER_SERVICES' | 'PATIENTS_URL' | 'VISITS_URL'>, cluster: string, service: 'patients' | 'visits'): string {
  return config.CLUSTER_SERVICES[cluster]?.[service] ?? (service === 'patients' ? config.PATIENTS_URL : config.VISITS_URL);
}
