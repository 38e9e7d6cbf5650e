import type { EventBus } from '@clinicult/events';
import { clusterStream } from '@clinicult/kit';
import type { Clinic, Prisma } from '../generated/prisma/client.js';

/**
 * Clinic events for the services of the clinic's cluster (DESIGN.md: "the admin plane publishes
 * clinic events to that cluster's stream"). Each event is written to admin's outbox in the same
 * transaction as the change it describes, so a change is never without its event nor an event
 * without its change; the bus's relay (and an immediate flush after commit) moves it to Redis.
 */
export const CLINIC_EVENT_TYPES = ['clinic.created', 'clinic.suspended', 'clinic.reactivated'] as const;
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
