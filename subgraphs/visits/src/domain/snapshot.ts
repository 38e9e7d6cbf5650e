import { visitSnapshotSchema, type ArchivedSnapshot } from '@clinicult/contracts';
import { badInput } from '@clinicult/kit';

export { SNAPSHOT_VERSION, type ArchivedSnapshot } from '@clinicult/contracts';

/**
 * The parts of an archived snapshot kept as JSON columns, as their resolvers read them back (they
 * were checked whole by `parseSnapshot` before they were stored).
 */
export type ArchivedTemplate = NonNullable<ArchivedSnapshot['template']>;
export type ArchivedTimelineEntry = ArchivedSnapshot['timeline'][number];
export type ArchivedVitals = NonNullable<ArchivedSnapshot['vitals']>;

/**
 * The snapshot patients writes to its archive outbox (schema: @clinicult/contracts,
 * `visitSnapshotSchema`), checked whole before anything is stored, so a poison snapshot is refused
 * with a BAD_USER_INPUT that names every problem (`snapshot.finishedAt: …`) and stays visible at
 * the relay.
 */
export function parseSnapshot(value: unknown): ArchivedSnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badInput('snapshot: must be an object (a VisitSnapshot from patients’ archive outbox).', ['snapshot']);
  }
  const parsed = visitSnapshotSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({
    path: ['snapshot', ...issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k)))].join('.').replace(/\.\[/g, '['),
    message: issue.message,
  }));
  throw badInput(`Not a valid visit snapshot. ${problems.map((p) => `${p.path}: ${p.message}`).join(' ')}`, problems);
}

/** ICD-10 codes are compared upper case without spaces (j06.9 → J06.9). */
export function normalizeCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase();
}
