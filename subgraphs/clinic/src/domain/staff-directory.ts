import { remoteCode, ServiceCaller, type CallerTokens, type Logger } from '@clinicult/kit';
import type { ClinicDb } from '../db.js';
import { StaffNamesDocument } from '../__generated__/users-operations.js';

/**
 * The cluster's staff directory (issue 16; docs/architecture.md, "Calls across the boundary"): the
 * names of a clinic's people, kept in this cluster's clinic database, so the queue board and the
 * visits show who did what without asking users — the platform plane, maybe another region — on
 * every request. The gateway's query planner takes `User.displayName` from here (it is
 * `@shareable` with users, and this subgraph is one fetch closer from a visit); users still answers
 * everything else about a person.
 *
 * A name never seen, or older than the TTL, is asked of users in one batched call (`staffNames`,
 * service token naming the clinic, which answers only that clinic's people) and stored. When users
 * cannot answer, the names already held are used, stale or not; a person never seen resolves to null
 * (the field that references them shows nobody) until users answers. A former member's name stays:
 * their old visits still name them.
 */
export interface StaffEntry {
  id: string;
  displayName: string;
}

/** Where the names come from (users' internal `staffNames`); throws when it cannot be asked. */
export interface StaffNamesSource {
  names(clinicId: string, userIds: readonly string[], requestId?: string): Promise<StaffEntry[]>;
}

export function usersStaffNames(options: { usersUrl: string; tokens: CallerTokens; logger: Logger; timeoutMs: number }): StaffNamesSource {
  const caller = new ServiceCaller({ service: 'clinic', tokens: options.tokens, logger: options.logger, timeoutMs: options.timeoutMs });
  const users = { name: 'users', url: options.usersUrl };
  return {
    async names(clinicId, userIds, requestId) {
      const data = await caller.call(users, "read the clinic's staff names", StaffNamesDocument, { userIds: [...userIds] }, {
        clinicId,
        ...(requestId ? { requestId } : {}),
      });
      return data.staffNames;
    },
  };
}

export class StaffDirectory {
  constructor(
    private readonly deps: { db: ClinicDb; source: StaffNamesSource; ttlMs: number; logger: Logger; now?: () => number },
  ) {}

  /** The entries of these ids in the caller's clinic, in order (null: not known here); one query, and at most one call to users. */
  async lookup(clinicId: string | null, ids: readonly string[], requestId?: string): Promise<Array<StaffEntry | null>> {
    if (!clinicId || ids.length === 0) return ids.map(() => null);
    const wanted = [...new Set(ids)];
    const now = this.deps.now?.() ?? Date.now();
    const rows = await this.deps.db.staffMember.findMany({ where: { clinicId, userId: { in: wanted } } });
    const known = new Map(rows.map((r) => [r.userId, { id: r.userId, displayName: r.displayName }]));
    const fresh = new Set(rows.filter((r) => now - r.refreshedAt.getTime() < this.deps.ttlMs).map((r) => r.userId));
    const due = wanted.filter((id) => !fresh.has(id));
    if (due.length > 0) {
      try {
        const answered = await this.deps.source.names(clinicId, due, requestId);
        await this.store(clinicId, answered, new Date(now));
        for (const entry of answered) known.set(entry.id, entry);
      } catch (error) {
        this.deps.logger.warn(
          { err: error, code: remoteCode(error), clinicId, asked: due.length, reqId: requestId },
          'staff directory: users did not answer; showing the names already held',
        );
      }
    }
    return ids.map((id) => known.get(id) ?? null);
  }

  /** One statement: concurrent requests storing the same person race harmlessly. */
  private async store(clinicId: string, entries: readonly StaffEntry[], at: Date): Promise<void> {
    if (entries.length === 0) return;
    const values = entries.map(() => '(?, ?, ?, ?)').join(', ');
    await this.deps.db.$executeRawUnsafe(
      `INSERT INTO \`StaffMember\` (\`clinicId\`, \`userId\`, \`displayName\`, \`refreshedAt\`) VALUES ${values} ` +
        'ON DUPLICATE KEY UPDATE `displayName` = VALUES(`displayName`), `refreshedAt` = VALUES(`refreshedAt`)',
      ...entries.flatMap((e) => [clinicId, e.id, e.displayName, at]),
    );
  }
}
