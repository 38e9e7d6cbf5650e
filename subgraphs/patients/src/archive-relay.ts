import { GraphQLError } from 'graphql';
import type { Registry } from 'prom-client';
import { callGraphQL, type Logger } from '@clinicult/kit';
import {
  backoffMs,
  createLeasedRelay,
  type DeliveryOutcome,
  type DrainResult,
  type LeasedOutboxStats,
  type LeasedRelay,
  type LeasedRelayTiming,
  type TransactionalSqlClient,
} from '@clinicult/events';
import { ArchiveVisitDocument } from './__generated__/visits-operations.js';
import type { TokenSource } from './domain/ports.js';
import type { PatientsDb } from './db.js';

/**
 * The archive relay (DESIGN.md, "The visit"; issue 4, "Archive, exactly once").
 *
 * finishVisit / cancelVisit delete the current visit and write its snapshot to `ArchiveOutbox` in
 * one transaction. This relay delivers those rows to the visits service through its internal,
 * idempotent-by-visit-id `archiveVisit`, with a service token of patients naming the row's clinic:
 * at-least-once delivery to an idempotent receiver = archived exactly once. Claiming, leases,
 * backoff, parking, purge and metrics are the platform's leased relay (@clinicult/events,
 * leased-relay.ts); this module says what a row is, how it is delivered and what visits refuses.
 */

export { backoffMs, type DeliveryOutcome, type DrainResult };
export type OutboxStats = LeasedOutboxStats;

/** The delivery: visits' internal `archiveVisit` (src/adapters/visits.graphql). */
export { ArchiveVisitDocument } from './__generated__/visits-operations.js';

/**
 * visits' answers that mean "this snapshot will never be accepted as it is": an invalid snapshot,
 * a snapshot of another clinic than the one named, and (CONFLICT, reason VISIT_ID_TAKEN) a visit id
 * already archived for another clinic. Anything else (transport, timeouts, UNAUTHENTICATED,
 * INTERNAL_SERVER_ERROR, an unknown operation during a deploy) heals and is retried without limit.
 */
export const REFUSAL_CODES: ReadonlySet<string> = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'CONFLICT']);

export interface ArchiveReceipt {
  visitId: string;
  archivedAt: string;
  duplicate: boolean;
}

/** An outbox row as the relay works it. */
export interface ClaimedRow {
  visitId: string;
  clinicId: string;
  snapshot: string;
  attempts: number;
  refusals: number;
}

export interface ArchiveRelayOptions extends LeasedRelayTiming {
  db: PatientsDb;
  /** visits' base URL (http://127.0.0.1:4004); the relay posts to `<url>/graphql`. */
  visitsUrl: string;
  /** patients' service tokens (must carry clinicult:service:visits-archive). */
  tokens: TokenSource;
  logger: Logger;
  /** Where the metrics are registered (the service's registry); default a private one. */
  registry?: Registry;
  hooks?: {
    /** After visits acknowledged a row and before it is marked delivered: tests simulate a crash there. */
    afterAcknowledged?(row: ClaimedRow, receipt: ArchiveReceipt): void | Promise<void>;
  };
}

export interface ArchiveRelay extends Omit<LeasedRelay, 'requeueParked'> {
  /** Puts parked rows (all, or these visits) back in the queue with fresh refusal counts. */
  requeueParked(visitIds?: readonly string[]): Promise<number>;
}

class SnapshotUnreadable extends Error {}

/** Whether an error from the call to visits is a refusal of this snapshot (poison) or a failure that heals. */
export function isRefusal(error: unknown): boolean {
  if (error instanceof SnapshotUnreadable) return true;
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return typeof code === 'string' && REFUSAL_CODES.has(code);
}

export function createArchiveRelay(options: ArchiveRelayOptions): ArchiveRelay {
  const { db, visitsUrl, tokens, logger, registry, hooks, ...timing } = options;
  const url = new URL('/graphql', visitsUrl).toString();
  const timeoutMs = timing.timeoutMs ?? 3000;
  return createLeasedRelay<ClaimedRow, ArchiveReceipt, string>({
    ...timing,
    name: 'archive',
    target: 'visits',
    // Prisma's client is the duck-typed client the relay needs (raw SQL, interactive transactions)
    db: db as unknown as TransactionalSqlClient,
    table: 'ArchiveOutbox',
    key: 'visitId',
    columns: ['clinicId', 'snapshot'],
    logger,
    ...(registry ? { registry } : {}),
    ...(hooks ? { hooks } : {}),
    startBatch: () => tokens.token(),
    async deliver(row, token) {
      let snapshot: unknown;
      try {
        snapshot = JSON.parse(row.snapshot);
      } catch {
        throw new SnapshotUnreadable(`the stored snapshot of visit ${row.visitId} is not JSON`);
      }
      const data = await callGraphQL(
        url,
        ArchiveVisitDocument,
        { snapshot },
        { token, clinicId: row.clinicId, timeoutMs, requestId: `archive:${row.visitId}` },
      );
      const receipt = data.archiveVisit;
      if (!receipt || receipt.visitId !== row.visitId) {
        throw new Error(`visits answered a receipt for ${receipt?.visitId ?? 'nothing'} instead of visit ${row.visitId}`);
      }
      return receipt;
    },
    isRefusal,
    isDuplicate: (receipt) => receipt.duplicate,
    describeRow: (row) => `the archive snapshot of visit ${row.visitId}`,
    logFields: (row) => ({ visitId: row.visitId, clinicId: row.clinicId }),
    parkedMeans: 'the visit is NOT in the archive',
  });
}
