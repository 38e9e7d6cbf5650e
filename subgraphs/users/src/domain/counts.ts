import type { UsersDb } from '../db.js';

/**
 * Per-clinic counts for the operators' overview (DESIGN.md: operators see per-clinic counts only,
 * never rows). Internal: a service token holding clinicult:service:clinic-counts (admin), naming the
 * clinic it asks about in `x-clinicult-clinic-id`. Only a number leaves this module.
 */


/**
 * The clinic's staff: its memberships whose person is not deactivated (an invited person who has
 * not signed in yet holds the membership and counts; a deactivated one cannot work and does not).
 * One query over the index Membership(clinicId), joined to User by primary key.
 */
export async function clinicStaffCount(db: UsersDb, clinicId: string): Promise<number> {
  const rows = await db.$queryRaw<Array<{ staff: bigint | number }>>`
    SELECT COUNT(*) AS staff
    FROM \`Membership\` m JOIN \`User\` u ON u.id = m.userId
    WHERE m.clinicId = ${clinicId} AND u.status <> 'DEACTIVATED'`;
  return Number(rows[0]?.staff ?? 0);
}
