import type { PatientsDb } from '../db.js';
import type { VisitState } from './visit-state.js';

/**
 * The waiting-room screen (issue 17): who is being called now and who is still waiting, as a
 * first name and the family name's initial — enough for a person to recognise themselves across
 * a room, too little to tell anyone else who was in the clinic. One query on the queue's state index.
 */
export interface WaitingRoomEntry {
  name: string;
  state: VisitState;
  since: Date;
}

/** A call stays on the screen this long after the nurse or doctor called the person in. */
export const CALLING_WINDOW_MINUTES = 15;
const MAX_ENTRIES = 200;

/** "María José" "García López" → "María G." (the first given name, the first letter of the family name). */
export function screenName(givenName: string, familyName: string): string {
  const first = givenName.trim().split(/\s+/)[0] ?? '';
  const initial = Array.from(familyName.trim())[0]?.toLocaleUpperCase() ?? '';
  return initial ? `${first} ${initial}.` : first;
}

export async function waitingRoom(db: PatientsDb, clinicId: string, now: Date = new Date()): Promise<{ nowCalling: WaitingRoomEntry[]; waiting: WaitingRoomEntry[] }> {
  const rows = await db.currentVisit.findMany({
    where: { clinicId, state: { in: ['WAITING', 'TRIAGE', 'WITH_DOCTOR'] } },
    orderBy: [{ priority: 'asc' }, { checkedInAt: 'asc' }, { id: 'asc' }],
    take: MAX_ENTRIES,
    select: { state: true, stateChangedAt: true, checkedInAt: true, patient: { select: { givenName: true, familyName: true } } },
  });
  const since = now.getTime() - CALLING_WINDOW_MINUTES * 60_000;
  const entry = (row: (typeof rows)[number], at: Date): WaitingRoomEntry => ({ name: screenName(row.patient.givenName, row.patient.familyName), state: row.state, since: at });
  return {
    nowCalling: rows
      .filter((r) => r.state !== 'WAITING' && r.stateChangedAt.getTime() >= since)
      .sort((a, b) => b.stateChangedAt.getTime() - a.stateChangedAt.getTime())
      .map((r) => entry(r, r.stateChangedAt)),
    waiting: rows.filter((r) => r.state === 'WAITING').map((r) => entry(r, r.checkedInAt)),
  };
}
