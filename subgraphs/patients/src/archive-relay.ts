import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GraphQLError } from 'graphql';
import { Counter, Gauge, Registry } from 'prom-client';
import { callGraphQL, type Logger } from '@clinicult/kit';
import { ArchiveVisitDocument } from './__generated__/visits-operations.js';
import type { TokenSource } from './domain/ports.js';
import { Prisma, type PatientsDb } from './db.js';

/**
 * The archive relay (DESIGN.md, "The visit"; issue 4, "Archive, exactly once").
 *
 * finishVisit / cancelVisit delete the current visit and write its snapshot to `ArchiveOutbox` in
 * one transaction. This relay delivers those rows to the visits service through its internal,
 * idempotent-by-visit-id `archiveVisit`, with a service token of patients naming the row's clinic:
 *
 * - rows are taken oldest first, in batches worked a few at a time (`concurrency`); a row is marked delivered (`deliveredAt`) only AFTER
 *   visits answered with a receipt (new or duplicate). A crash between the call and the mark means
 *   the row is sent again later, and visits answers `duplicate: true`: at-least-once delivery to an
 *   idempotent receiver = archived exactly once. The state is the table, so restarts lose nothing.
 * - a failed delivery is retried with capped exponential backoff and jitter, per row
 *   (`attempts`, `nextAttemptAt`, `lastError`) and for the relay as a whole (after a transport-level
 *   failure the rest of the batch is released and the next round waits), forever for failures of
 *   transport, auth or visits itself, since those heal.
 * - a poison row (visits refuses the snapshot: BAD_USER_INPUT or FORBIDDEN, or the stored snapshot is
 *   not JSON) is retried too (a refusal may come from a deploy in progress) but after `maxRefusals`
 *   refusals it is parked (`parkedAt`), logged at error level and counted; it then waits for an
 *   operator (`requeueParked`). It never blocks the rows behind it.
 * - rows are deleted only once delivered and older than the retention period.
 *
 * Claiming (several patients replicas): a short transaction selects a batch `FOR UPDATE SKIP LOCKED`
 * and stamps it with a lease (`claimedBy`, `claimedUntil`), then commits; the HTTP calls happen
 * outside any transaction. Why both: SKIP LOCKED alone would need the row locks (and a transaction)
 * held across the calls to visits, i.e. a long transaction per batch pinning a connection and
 * blocking the purge; a lease alone would let two replicas race on the same rows between their
 * SELECT and UPDATE (or wait on each other's locks). Together: replicas claim disjoint batches
 * without waiting, the claim survives the commit, and a relay that dies mid-batch only delays its
 * claimed rows until the lease expires, after which any replica takes them. The relay stops
 * working a batch before its lease could run out, so one relay works a row at a time. Every
 * comparison uses the database's clock (UTC_TIMESTAMP), so replicas' clocks do not matter.
 * (Valid on MariaDB 10.6+ and MySQL 8.)
 */

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

export type DeliveryOutcome = 'delivered' | 'duplicate' | 'failed' | 'refused' | 'parked';

export interface ArchiveRelayOptions {
  db: PatientsDb;
  /** visits' base URL (http://127.0.0.1:4004); the relay posts to `<url>/graphql`. */
  visitsUrl: string;
  /** patients' service tokens (must carry clinicult:service:visits-archive). */
  tokens: TokenSource;
  logger: Logger;
  /** Where the metrics are registered (the service's registry); default a private one. */
  registry?: Registry;
  /** Pause between rounds when all went well (ms). Default 1000. */
  intervalMs?: number;
  /** Rows claimed per round. Default 50. */
  batchSize?: number;
  /** Calls to visits in flight at once within a batch. Default 4. */
  concurrency?: number;
  /** First retry delay (ms); doubles per attempt up to maxBackoffMs. Default 1000. */
  baseBackoffMs?: number;
  /** Cap of the retry delay (ms). Default 60000. */
  maxBackoffMs?: number;
  /** How long a claim holds (ms); must exceed timeoutMs. Default 60000. */
  leaseMs?: number;
  /** Refusals by visits before a row is parked. Default 5. */
  maxRefusals?: number;
  /** Delivered rows are deleted after this long (ms); 0 keeps them. Default 7 days. */
  retentionMs?: number;
  /** How often the purge runs (ms). Default 10 minutes. */
  purgeEveryMs?: number;
  /** Timeout of one call to visits (ms). Default 3000. */
  timeoutMs?: number;
  /** This relay's name in `claimedBy`. Default host:pid:random. */
  instanceId?: string;
  /** Source of jitter (tests). */
  random?: () => number;
  hooks?: {
    /**
     * Called after visits acknowledged a row and before the row is marked delivered: tests
     * simulate a crash right there.
     */
    afterAcknowledged?(row: ClaimedRow, receipt: ArchiveReceipt): void | Promise<void>;
  };
}

export interface DrainResult {
  /** Rows acknowledged by visits (new or duplicate). */
  delivered: number;
  duplicates: number;
  /** Rows that failed and will be retried later. */
  failed: number;
  refused: number;
  parked: number;
  /** A failure of transport/auth/visits ended the drain early (the relay backs off). */
  interrupted: boolean;
}

export interface OutboxStats {
  /** Rows not delivered yet (parked ones included). */
  backlog: number;
  parked: number;
  /** Age of the oldest undelivered row, 0 when none. */
  oldestAgeSeconds: number;
}

export interface ArchiveRelay {
  readonly instanceId: string;
  /** Starts the loop (an unref'd timer); idempotent. */
  start(): void;
  /** Delivers everything ready now (rounds until nothing is left or a failure interrupts); shares a run in flight. */
  drain(): Promise<DrainResult>;
  /** Deletes delivered rows older than the retention period; returns how many. */
  purge(): Promise<number>;
  /** Puts parked rows (all, or these visits) back in the queue with fresh refusal counts. */
  requeueParked(visitIds?: readonly string[]): Promise<number>;
  stats(): Promise<OutboxStats>;
  /** Stops the loop; the row being delivered finishes (call, then mark), the rest of its batch is released. */
  stop(): Promise<void>;
}

/**
 * Capped exponential backoff with "equal jitter": attempt n waits between half and all of
 * min(cap, base·2^(n−1)), so retries of many rows spread out but never hammer back at once.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Whether an error from the call to visits is a refusal of this snapshot (poison) or a failure that heals. */
export function isRefusal(error: unknown): boolean {
  if (error instanceof SnapshotUnreadable) return true;
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return typeof code === 'string' && REFUSAL_CODES.has(code);
}

class SnapshotUnreadable extends Error {}

function describeError(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}${cause}`.slice(0, 1000);
}

const OUTBOX = Prisma.raw('`ArchiveOutbox`');

export function createArchiveRelay(options: ArchiveRelayOptions): ArchiveRelay {
  const { db, logger } = options;
  const url = new URL('/graphql', options.visitsUrl).toString();
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 50;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const baseBackoff = options.baseBackoffMs ?? 1000;
  const maxBackoff = options.maxBackoffMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 3000;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxRefusals = options.maxRefusals ?? 5;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
  const purgeEveryMs = options.purgeEveryMs ?? 10 * 60 * 1000;
  const random = options.random ?? Math.random;
  const instanceId = (options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`).slice(0, 100);
  if (leaseMs < timeoutMs * 2) throw new Error(`archive relay: leaseMs (${leaseMs}) must be at least twice timeoutMs (${timeoutMs})`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`archive relay: batchSize must be a positive integer`);

  // ---- metrics (on the service's registry; the gauges read the table when scraped)
  const registry = options.registry ?? new Registry();
  let statsCache: { at: number; value: Promise<OutboxStats> } | null = null;
  const cachedStats = () => {
    if (!statsCache || Date.now() - statsCache.at > 500) statsCache = { at: Date.now(), value: stats() };
    return statsCache.value;
  };
  const gauge = (name: string, help: string, pick: (s: OutboxStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(pick(await cachedStats()));
        } catch (error) {
          logger.warn({ err: error }, 'archive relay: could not read the outbox for metrics');
        }
      },
    });
  gauge('archive_outbox_backlog', 'Finished/cancelled visits not yet delivered to visits (parked ones included)', (s) => s.backlog);
  gauge('archive_outbox_oldest_age_seconds', 'Age of the oldest undelivered archive outbox row (0 when none)', (s) => s.oldestAgeSeconds);
  gauge('archive_outbox_parked', 'Archive outbox rows parked after repeated refusals by visits', (s) => s.parked);
  const deliveries = new Counter({
    name: 'archive_deliveries_total',
    help: 'Archive deliveries to visits by outcome: delivered, duplicate (visits had it already), failed (will retry), refused (will retry), parked',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const count = (outcome: DeliveryOutcome) => deliveries.inc({ outcome });

  async function stats(): Promise<OutboxStats> {
    const [row] = await db.$queryRaw<Array<{ backlog: bigint | number; parked: bigint | number; age: bigint | number | null }>>`
      SELECT COUNT(*) AS backlog,
             COUNT(parkedAt) AS parked,
             TIMESTAMPDIFF(MICROSECOND, MIN(createdAt), UTC_TIMESTAMP(3)) AS age
      FROM ${OUTBOX} WHERE deliveredAt IS NULL`;
    return {
      backlog: Number(row?.backlog ?? 0),
      parked: Number(row?.parked ?? 0),
      oldestAgeSeconds: row?.age == null ? 0 : Math.max(0, Number(row.age) / 1e6),
    };
  }

  // ---- claim, mark, fail, release

  /** One short transaction: lock a batch of ready rows (skipping rows other relays are claiming) and lease them. */
  async function claim(): Promise<ClaimedRow[]> {
    return db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<ClaimedRow[]>`
          SELECT visitId, clinicId, snapshot, attempts, refusals FROM ${OUTBOX}
          WHERE deliveredAt IS NULL AND parkedAt IS NULL
            AND (nextAttemptAt IS NULL OR nextAttemptAt <= UTC_TIMESTAMP(3))
            AND (claimedUntil IS NULL OR claimedUntil <= UTC_TIMESTAMP(3))
          ORDER BY createdAt, visitId
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED`;
        if (rows.length > 0) {
          await tx.$executeRaw`
            UPDATE ${OUTBOX} SET claimedBy = ${instanceId},
              claimedUntil = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${leaseMs * 1000} MICROSECOND)
            WHERE visitId IN (${Prisma.join(rows.map((r) => r.visitId))})`;
        }
        return rows.map((r) => ({ ...r, attempts: Number(r.attempts), refusals: Number(r.refusals) }));
      },
      // READ COMMITTED: the locking read takes no gap locks, so finishVisit's INSERTs never wait on a claim
      { isolationLevel: Prisma.TransactionIsolationLevel.ReadCommitted, timeout: 10_000 },
    );
  }

  async function markDelivered(row: ClaimedRow): Promise<void> {
    // unconditional on the claim: an acknowledgement is an acknowledgement, whoever holds the lease
    await db.$executeRaw`
      UPDATE ${OUTBOX} SET deliveredAt = UTC_TIMESTAMP(3), claimedBy = NULL, claimedUntil = NULL, nextAttemptAt = NULL
      WHERE visitId = ${row.visitId} AND deliveredAt IS NULL`;
  }

  async function recordFailure(row: ClaimedRow, error: unknown, refusal: boolean): Promise<'failed' | 'refused' | 'parked'> {
    const attempts = row.attempts + 1;
    const refusals = row.refusals + (refusal ? 1 : 0);
    const park = refusal && refusals >= maxRefusals;
    const delay = backoffMs(attempts, baseBackoff, maxBackoff, random);
    const lastError = describeError(error);
    await db.$executeRaw`
      UPDATE ${OUTBOX} SET attempts = ${attempts}, refusals = ${refusals}, lastError = ${lastError},
        lastAttemptAt = UTC_TIMESTAMP(3),
        nextAttemptAt = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${delay * 1000} MICROSECOND),
        parkedAt = ${park ? Prisma.sql`UTC_TIMESTAMP(3)` : Prisma.sql`NULL`},
        claimedBy = NULL, claimedUntil = NULL
      WHERE visitId = ${row.visitId} AND claimedBy = ${instanceId} AND deliveredAt IS NULL`;
    const fields = { visitId: row.visitId, clinicId: row.clinicId, attempts, refusals, lastError };
    if (park) {
      logger.error(
        { ...fields, maxRefusals },
        `ARCHIVE OUTBOX ROW PARKED: visits refused visit ${row.visitId} ${refusals} times; it is not retried until an operator requeues it (the visit is NOT in the archive)`,
      );
      return 'parked';
    }
    if (refusal) {
      logger.warn({ ...fields, retryInMs: delay }, `visits refused the archive snapshot of visit ${row.visitId}; retrying (parked after ${maxRefusals} refusals)`);
      return 'refused';
    }
    return 'failed';
  }

  async function release(rows: readonly ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db.$executeRaw`
      UPDATE ${OUTBOX} SET claimedBy = NULL, claimedUntil = NULL
      WHERE visitId IN (${Prisma.join(rows.map((r) => r.visitId))}) AND claimedBy = ${instanceId} AND deliveredAt IS NULL`;
  }

  // ---- delivery

  async function deliver(row: ClaimedRow, token: string): Promise<ArchiveReceipt> {
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
  }

  let stopped = false;
  let consecutiveFailures = 0;

  /** One batch: claim, deliver (a few at a time), mark each row right after its acknowledgement. */
  async function round(result: DrainResult): Promise<number> {
    const rows = await claim();
    if (rows.length === 0) return 0;
    // stop working the batch well before the lease could expire and another relay take it
    const workUntil = Date.now() + leaseMs - timeoutMs - Math.min(1000, leaseMs / 10);
    let token: string;
    try {
      token = await options.tokens.token();
    } catch (error) {
      await release(rows);
      onTransientFailure(error, null);
      result.interrupted = true;
      return rows.length;
    }
    // `concurrency` workers take the batch's rows in order; after a failure that heals (visits down)
    // or near the end of the lease they start no new row, and the rows nobody started go back.
    let next = 0;
    let halt = false;
    let fatal: unknown;
    let failure: { error: unknown; row: ClaimedRow } | undefined;
    const worker = async () => {
      while (!halt && !stopped && Date.now() <= workUntil && next < rows.length) {
        const row = rows[next++]!;
        try {
          const error = await deliverRow(row, token, result);
          if (error !== undefined) {
            halt = true;
            failure ??= { error, row };
          }
        } catch (error) {
          // the database failed while recording the outcome: the row keeps its lease and is retried after it
          halt = true;
          fatal ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
    await release(rows.slice(next));
    if (failure) onTransientFailure(failure.error, failure.row);
    if (fatal !== undefined) throw fatal;
    return rows.length;
  }

  /** Delivers one claimed row and records the outcome; returns the error when it should stop the batch. */
  async function deliverRow(row: ClaimedRow, token: string, result: DrainResult): Promise<unknown> {
    let receipt: ArchiveReceipt;
    try {
      receipt = await deliver(row, token);
    } catch (error) {
      const refusal = isRefusal(error);
      const outcome = await recordFailure(row, error, refusal);
      count(outcome);
      result[outcome] += 1;
      if (refusal) return undefined;
      // visits (or the way to it) is failing: the rest of the batch goes back and the relay backs off
      result.interrupted = true;
      return error ?? new Error('unknown failure');
    }
    await options.hooks?.afterAcknowledged?.(row, receipt);
    await markDelivered(row);
    count(receipt.duplicate ? 'duplicate' : 'delivered');
    result.delivered += 1;
    if (receipt.duplicate) result.duplicates += 1;
    if (consecutiveFailures > 0) {
      logger.info({ afterFailures: consecutiveFailures }, 'archive relay: visits acknowledges deliveries again');
      consecutiveFailures = 0;
    }
    return undefined;
  }

  function onTransientFailure(error: unknown, row: ClaimedRow | null): void {
    consecutiveFailures += 1;
    // loud on the first failure of a streak, then every 10th: visits may be down for a while
    if (consecutiveFailures === 1 || consecutiveFailures % 10 === 0) {
      logger.warn(
        { err: describeError(error), visitId: row?.visitId, consecutiveFailures, url },
        'archive relay: could not deliver to visits; retrying with backoff (nothing is lost: rows stay in the outbox)',
      );
    }
  }

  let draining: Promise<DrainResult> | undefined;
  function drain(): Promise<DrainResult> {
    draining ??= (async () => {
      const result: DrainResult = { delivered: 0, duplicates: 0, failed: 0, refused: 0, parked: 0, interrupted: false };
      while (!stopped) {
        const claimed = await round(result);
        if (result.interrupted || claimed < batchSize) break;
      }
      return result;
    })().finally(() => {
      draining = undefined;
    });
    return draining;
  }

  async function purge(): Promise<number> {
    if (retentionMs <= 0) return 0;
    let total = 0;
    for (;;) {
      const deleted = await db.$executeRaw`
        DELETE FROM ${OUTBOX}
        WHERE deliveredAt IS NOT NULL AND deliveredAt < DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ${retentionMs * 1000} MICROSECOND)
        LIMIT 1000`;
      total += deleted;
      if (deleted < 1000) break;
    }
    if (total > 0) logger.info({ deleted: total }, 'archive relay: deleted delivered outbox rows past retention');
    return total;
  }

  async function requeueParked(visitIds?: readonly string[]): Promise<number> {
    const only = visitIds ? Prisma.sql`AND visitId IN (${Prisma.join([...visitIds])})` : Prisma.empty;
    if (visitIds && visitIds.length === 0) return 0;
    const n = await db.$executeRaw`
      UPDATE ${OUTBOX} SET parkedAt = NULL, refusals = 0, nextAttemptAt = NULL
      WHERE parkedAt IS NOT NULL AND deliveredAt IS NULL ${only}`;
    logger.info({ requeued: n, visitIds }, 'archive relay: parked outbox rows requeued');
    return n;
  }

  // ---- the loop

  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let nextPurgeAt = 0;
  let ticking: Promise<void> | undefined;
  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      ticking = tick().finally(() => {
        ticking = undefined;
      });
    }, delay);
    timer.unref(); // the relay alone must not keep a process alive
  }
  async function tick(): Promise<void> {
    let delay = intervalMs;
    try {
      const result = await drain();
      if (result.interrupted) delay = Math.max(intervalMs, backoffMs(consecutiveFailures, baseBackoff, maxBackoff, random));
      if (!stopped && Date.now() >= nextPurgeAt) {
        nextPurgeAt = Date.now() + purgeEveryMs;
        await purge();
      }
    } catch (error) {
      // the database itself failed (claim or mark): the rows stay as they are; try again later
      consecutiveFailures += 1;
      delay = Math.max(intervalMs, backoffMs(consecutiveFailures, baseBackoff, maxBackoff, random));
      logger.error({ err: error, retryInMs: delay }, 'archive relay: round failed');
    }
    schedule(delay);
  }

  return {
    instanceId,
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    drain,
    purge,
    requeueParked,
    stats,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // the round in flight ends after its current rows (each marked once acknowledged), or its purge
      await Promise.all([ticking, draining?.catch(() => undefined)]);
    },
  };
}
