import type { EventBus } from '@clinicult/events';
import { clusterStream } from '@clinicult/kit';
import type { TemplateFieldDef, TemplateKind } from '@clinicult/templates';
import type { Clinic, Prisma } from '../generated/prisma/client.js';

/**
 * Clinic events for the services of the clinic's cluster (DESIGN.md: "the admin plane publishes
 * clinic events to that cluster's stream"). Each event is written to admin's outbox in the same
 * transaction as the change it describes, so a change is never without its event nor an event
 * without its change; the bus's relay (and an immediate flush after commit) moves it to Redis.
 */
export const CLINIC_EVENT_TYPES = ['clinic.created', 'clinic.updated', 'clinic.suspended', 'clinic.reactivated'] as const;
export type ClinicEventType = (typeof CLINIC_EVENT_TYPES)[number];

export interface ClinicEventPayload {
  clinic: {
    id: string;
    name: string;
    status: Clinic['status'];
    cluster: string;
    timeZone: string;
    suspendedReason: string | null;
  };
  /** The operator who made the change. */
  by: string | null;
  at: string;
}


export async function publishClinicEvent(
  bus: EventBus,
  tx: Prisma.TransactionClient,
  type: ClinicEventType,
  clinic: Clinic,
  by: string | null,
): Promise<void> {
  const payload: ClinicEventPayload = {
    clinic: {
      id: clinic.id,
      name: clinic.name,
      status: clinic.status,
      cluster: clinic.cluster,
      timeZone: clinic.timeZone,
      suspendedReason: clinic.suspendedReason,
    },
    by,
    at: clinic.updatedAt.toISOString(),
  };
  await bus.enqueue(tx, clusterStream(clinic.cluster), { type, clinicId: clinic.id, payload });
}

/** A global template's publication (create, new version, retirement), for every cluster. */
export const TEMPLATE_PUBLISHED = 'template.published';

/**
 * template.published's payload. The clinic service's consumer relies on this exact shape
 * (subgraphs/clinic/src/domain/catalog.ts, `parsePublished`): `fields` as TemplateFieldDef[]
 * (every attribute present, null where it does not apply); a retirement repeats the current
 * version with `retired: true`.
 */
export interface TemplatePublishedPayload {
  template: {
    id: string;
    name: string;
    kind: TemplateKind;
    version: number;
    fields: TemplateFieldDef[];
    retired: boolean;
    publishedAt: string;
  };
  /** The operator who published it. */
  by: string | null;
  at: string;
}

/**
 * Writes template.published to the outbox of `tx` once per configured cluster (a global template
 * is for every clinic, so every cluster's services hear of it); the envelope names no clinic.
 */
export async function publishTemplateEvent(
  bus: EventBus,
  tx: Prisma.TransactionClient,
  clusters: readonly string[],
  payload: TemplatePublishedPayload,
): Promise<void> {
  for (const cluster of clusters) {
    await bus.enqueue(tx, clusterStream(cluster), { type: TEMPLATE_PUBLISHED, clinicId: null, payload });
  }
}
