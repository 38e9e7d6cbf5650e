import { z } from 'zod';

/**
 * What patients publishes about the visit in progress on its visits stream (config
 * VISIT_EVENTS_STREAM), for visits to act on: producer and consumer import these, so neither can
 * drift from the other.
 */
export const VISIT_EVENTS = {
  /** A patient checked in: visits warms their history cache while they are in the clinic. */
  checkedIn: 'visit.checked_in',
} as const;

const id = z.string().min(1).max(36);

export const visitCheckedInSchema = z.object({
  clinicId: id,
  patientId: id,
  visitId: id,
});

export type VisitCheckedIn = z.infer<typeof visitCheckedInSchema>;
