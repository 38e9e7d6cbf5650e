import type { EventBus } from '@clinicult/events';
import { clusterStream } from '@clinicult/kit';
import { CLUSTER_EVENTS, type ClinicEventPayload, type ClinicEventType, type TemplatePublishedPayload } from '@clinicult/contracts';
import type { Clinic, Prisma } from '../generated/prisma/client.js';

/**
 * Clinic events for the services of the clinic's cluster (DESIGN.md: "the admin plane publishes
 * clinic events to that cluster's stream"). Each event is written to admin's outbox in the same
 * transaction as the change it describes, so a change is never without its event nor an event
 * without its change; the bus's relay (and an immediate flush after commit) moves it to Redis.
 * The payloads' shapes are @clinicult/contracts' (cluster.ts), which the consumers read with.
 */
export { CLINIC_EVENT_TYPES, type ClinicEventPayload, type ClinicEventType, type TemplatePublishedPayload } from '@clinicult/contracts';

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
    await bus.enqueue(tx, clusterStream(cluster), { type: CLUSTER_EVENTS.templatePublished, clinicId: null, payload });
  }
}
