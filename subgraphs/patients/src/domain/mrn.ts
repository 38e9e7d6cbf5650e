import type { PatientsDb } from '../db.js';

/** `MRN-000123`: the clinic's counter, zero-padded to six digits (more digits once past 999999). */
export function formatMrn(n: number): string {
  return `MRN-${String(n).padStart(6, '0')}`;
}

/** InnoDB may pick a victim when several first registrations of a clinic create its counter row at once. */
function isLockConflict(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'P2034' || /deadlock|lock wait timeout|write conflict/i.test(String(message ?? ''));
}

/**
 * The clinic's next generated MRN. The counter row is created or incremented by one statement,
 * which holds its row lock until the transaction commits, so concurrent registrations each get a
 * different number (gaps are possible, repeats are not).
 */
export async function nextMrn(db: PatientsDb, clinicId: string, attempts = 3): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await db.$transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO MrnCounter (clinicId, lastValue) VALUES (${clinicId}, 1) ON DUPLICATE KEY UPDATE lastValue = lastValue + 1`;
        const rows = await tx.$queryRaw<Array<{ lastValue: number | bigint }>>`SELECT lastValue FROM MrnCounter WHERE clinicId = ${clinicId}`;
        return Number(rows[0]!.lastValue);
      });
      return formatMrn(value);
    } catch (error) {
      if (attempt >= attempts || !isLockConflict(error)) throw error;
    }
  }
}
