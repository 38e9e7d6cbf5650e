import { z } from 'zod';
import { CLUSTER_NAME, clusterUrlsSchema, jsonText, type ClusterUrls } from '@clinicult/contracts';

/**
 * Clusters (DESIGN.md, "Data, cache, events"): each clinic belongs to one; the admin plane publishes
 * clinic and template events to the cluster's stream and the cluster's services consume it, each
 * with its own consumer group.
 */

export { CLUSTER_NAME, clusterUrlsSchema, jsonText, type ClusterUrls };

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
