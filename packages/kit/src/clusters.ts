import { z } from 'zod';
import { CLUSTER_NAME } from '@clinicult/contracts';

/**
 * Clusters (DESIGN.md, "Data, cache, events"): each clinic belongs to one; the admin plane publishes
 * clinic and template events to the cluster's stream and the cluster's services consume it, each
 * with its own consumer group.
 */

export { CLUSTER_NAME };

/** The clusters of a deployment when CLUSTERS is not set. */
export const DEFAULT_CLUSTERS = 'eu-1,us-1';

/** CLUSTERS=eu-1,us-1: a comma-separated list of cluster names, duplicates dropped, order kept. */
export const clusterListSchema = z
  .string()
  .default(DEFAULT_CLUSTERS)
  .transform((value) => [...new Set(value.split(',').map((c) => c.trim()).filter((c) => c !== ''))])
  .pipe(
    z
      .array(z.string().regex(CLUSTER_NAME, 'each cluster is lower-case letters, digits and dashes (e.g. eu-1)'))
      .min(1, 'name at least one cluster, e.g. CLUSTERS=eu-1,us-1'),
  );

/** The stream a cluster's services consume. */
export function clusterStream(cluster: string): string {
  return `events:cluster:${cluster}`;
}

/**
 * A value per cluster, as JSON `{"eu-1": "<url>", "us-1": "<url>"}` (CLUSTER_REDIS_URLS,
 * CLUSTER_API_URLS): each key a cluster name, each value a URL. Unset: `{}`.
 */
export const clusterUrlsSchema = z
  .string()
  .default('{}')
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON: {"<cluster>": "<url>", …}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(CLUSTER_NAME, 'each key is a cluster name (e.g. eu-1)'), z.url()));
export type ClusterUrls = z.infer<typeof clusterUrlsSchema>;
