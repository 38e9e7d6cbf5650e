import { z } from 'zod';
import { readStoredFields, TEMPLATE_KINDS, type TemplateFieldDef } from '@clinicult/templates';

/**
 * What the admin plane publishes to a cluster's stream (`events:cluster:<cluster>`): a clinic's
 * creation and changes, and the global templates' publications. admin builds the payloads with
 * these types; the cluster's consumers (clinic) read them with these schemas.
 */
/** A cluster (region) name: lower-case letters, digits and dashes, e.g. `eu-1`. */
export const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A configuration value that is JSON text (default `{}`), parsed, then checked by `.pipe(schema)`;
 * text that is no JSON fails with "is not JSON: <shape>".
 */
export function jsonText(shape: string) {
  return z
    .string()
    .default('{}')
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not JSON: ${shape}` });
        return z.NEVER;
      }
    });
}

/**
 * A value per cluster, as JSON `{"eu-1": "<url>", "us-1": "<url>"}` (CLUSTER_REDIS_URLS,
 * CLUSTER_API_URLS): each key a cluster name, each value a URL. Unset: `{}`.
 */
export const clusterUrlsSchema = jsonText('{"<cluster>": "<url>", …}').pipe(
  z.record(z.string().regex(CLUSTER_NAME, 'each key is a cluster name (e.g. eu-1)'), z.url()),
);
export type ClusterUrls = z.infer<typeof clusterUrlsSchema>;

export const CLUSTER_EVENTS = {
  clinicCreated: 'clinic.created',
  clinicUpdated: 'clinic.updated',
  clinicSuspended: 'clinic.suspended',
  clinicReactivated: 'clinic.reactivated',
  templatePublished: 'template.published',
} as const;

export const CLINIC_EVENT_TYPES = [
  CLUSTER_EVENTS.clinicCreated,
  CLUSTER_EVENTS.clinicUpdated,
  CLUSTER_EVENTS.clinicSuspended,
  CLUSTER_EVENTS.clinicReactivated,
] as const;
export type ClinicEventType = (typeof CLINIC_EVENT_TYPES)[number];

const id = z.string().min(1).max(36);
const instant = z.iso.datetime({ offset: true });

export const clinicEventSchema = z.object({
  clinic: z.object({
    id,
    name: z.string().min(1),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    cluster: z.string().min(1),
    timeZone: z.string().min(1),
    suspendedReason: z.string().nullable(),
  }),
  /** the operator who made the change */
  by: z.string().nullable(),
  at: instant,
});
export type ClinicEventPayload = z.infer<typeof clinicEventSchema>;

/** Stored template fields as @clinicult/templates reads them (every attribute present, null where it does not apply). */
const storedFields = z.custom<TemplateFieldDef[]>((value) => {
  try {
    readStoredFields(value);
    return true;
  } catch {
    return false;
  }
}, 'must be template fields as stored (every attribute present)');

/** A global template's publication (create, new version, retirement: the current version again with `retired`). */
export const templatePublishedSchema = z.object({
  template: z.object({
    id,
    name: z.string().trim().min(1).max(120),
    kind: z.enum(TEMPLATE_KINDS),
    version: z.number().int().min(1),
    fields: storedFields,
    retired: z.boolean(),
    publishedAt: instant,
  }),
  /** the operator who published it */
  by: z.string().nullable(),
  at: instant,
});
export type TemplatePublishedPayload = z.infer<typeof templatePublishedSchema>;
