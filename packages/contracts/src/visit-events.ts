import { z } from 'zod';

/**
 * What patients publishes about the visit in progress on its visits stream (config
 * VISIT_EVENTS_STREAM), for visits and the gateway to act on: producer and consumers import these,
 * so neither can drift from the other.
 */
export const VISIT_EVENTS = {
  /** A patient checked in: visits warms their history cache while they are in the clinic. */
  checkedIn: 'visit.checked_in',
  /**
   * Any other change of a current visit (a state change, a recording, its priority, finished or
   * cancelled): the gateway tells the clinic's open queue boards to read the queue again.
   */
  changed: 'visit.changed',
} as const;

/** The events after which a clinic's queue board is out of date (the gateway's queue push). */
export const QUEUE_CHANGING_EVENTS: readonly string[] = [VISIT_EVENTS.checkedIn, VISIT_EVENTS.changed];

const id = z.string().min(1).max(36);

export const visitCheckedInSchema = z.object({
  clinicId: id,
  patientId: id,
  visitId: id,
});

export type VisitCheckedIn = z.infer<typeof visitCheckedInSchema>;

/** visit.changed: which visit, never what changed (the stream carries no patient data). */
export const visitChangedSchema = z.object({
  clinicId: id,
  visitId: id,
});

export type VisitChanged = z.infer<typeof visitChangedSchema>;
