import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SqlClient } from './outbox.js';
import { backoffMs, createRelayLoop, type RelayLoop } from './loop.js';
import type { EventsLogger } from './util.js';

/**
 * A leased relay: delivers the rows of a service's own outbox table to another service, each row
 * exactly once in effect (at-least-once to an idempotent receiver), from any number of replicas.
 * The patients archive relay (DESIGN.md, "The visit") is one; the event outbox (outbox.ts) is the
 * other, simpler shape (ordered, to Redis, no per-row state).
 *
 * - rows are taken oldest first, in batches worked a few at a time (`concurrency`); a row is marked
 *   delivered (`deliveredAt`) only AFTER the receiver answered. A crash between the call and the mark
 *   means the row is sent again later and the receiver answers it as a duplicate. The state is the
 *   table, so restarts lose nothing.
 * - a failed delivery is retried with capped exponential backoff and jitter, per row (`attempts`,
 *   `nextAttemptAt`, `lastError`) and for the relay as a whole (after a failure that heals —
 *   transport, auth, the receiver itself — the rest of the batch is released and the next round waits).
 * - a poison row (the receiver refuses it: `isRefusal`) is retried too, since a refusal may come from
 *   a deploy in progress, but after `maxRefusals` refusals it is parked (`parkedAt`), logged at error
 *   level and counted; it waits for an operator (`requeueParked`) and never blocks the rows behind it.
 * - rows are deleted only once delivered and older than the retention period.
 *
 * Claiming: a short transaction selects a batch `FOR UPDATE SKIP LOCKED` and stamps it with a lease
 * (`claimedBy`, `claimedUntil`), then commits; the calls happen outside any transaction. SKIP LOCKED
 * alone would need the row locks held across the calls (a long transaction pinning a connection);
 * a lease alone would let two replicas race between their SELECT and UPDATE. Together, replicas
 * claim disjoint batches without waiting, and a relay that dies mid-batch only delays its rows
 * until the lease expires. A relay stops working a batch before its lease could run out. Every
 * comparison uses the database's clock (UTC_TIMESTAMP). Valid on MariaDB 10.6+ and MySQL 8.
 *
 * The table has the row's key and payload columns plus the bookkeeping columns `createdAt`,
 * `deliveredAt`, `attempts`, `refusals`, `lastError` (VARCHAR(1000)), `lastAttemptAt`,
 * `nextAttemptAt`, `claimedBy` (VARCHAR(100)), `claimedUntil`, `parkedAt` (DATETIME(3) each).
 */

/** A Prisma client as the relay uses it: raw SQL and interactive transactions. */
export interface TransactionalSqlClient extends SqlClient {
  $transaction<T>(
    work: (tx: SqlClient) => Promise<T>,
    options?: { isolationLevel?: 'ReadCommitted'; timeout?: number },
  ): Promise<T>;
}

/** What every claimed row carries besides its payload. */
export interface LeasedRow {
  attempts: number;
  refusals: number;
}

export type DeliveryOutcome = 'delivered' | 'duplicate' | 'failed' | 'refused' | 'parked';

export interface DrainResult {
  /** Rows the receiver acknowledged (new or duplicate). */
  delivered: number;
  duplicates: number;
  /** Rows that failed and will be retried later. */
  failed: number;
  refused: number;
  parked: number;
  /** A failure that heals ended the drain early (the relay backs off). */
  interrupted: boolean;
}

export interface LeasedOutboxStats {
  /** Rows not delivered yet (parked ones included). */
  backlog: number;
  parked: number;
  /** Age of the oldest undelivered row, 0 when none. */
  oldestAgeSeconds: number;
}

export interface LeasedRelayTiming {
  /** Pause between rounds when all went well (ms). Default 1000. */
  intervalMs?: number;
  /** Rows claimed per round. Default 50. */
  batchSize?: number;
  /** Deliveries in flight at once within a batch. Default 4. */
  concurrency?: number;
  /** First retry delay (ms); doubles per attempt up to maxBackoffMs. Default 1000. */
  baseBackoffMs?: number;
  /** Cap of the retry delay (ms). Default 60000. */
  maxBackoffMs?: number;
  /** How long a claim holds (ms); at least twice timeoutMs. Default 60000. */
  leaseMs?: number;
  /** Refusals before a row is parked. Default 5. */
  maxRefusals?: number;
  /** Delivered rows are deleted after this long (ms); 0 keeps them. Default 7 days. */
  retentionMs?: number;
  /** How often the purge runs (ms). Default 10 minutes. */
  purgeEveryMs?: number;
  /** Longest one delivery may take (ms); the batch stops this long before its lease ends. Default 3000. */
  timeoutMs?: number;
  /** This relay's name in `claimedBy`. Default host:pid:random. */
  instanceId?: string;
  /** Source of jitter (tests). */
  random?: () => number;
}

export interface LeasedRelayOptions<Row extends LeasedRow, Receipt, Batch> extends LeasedRelayTiming {
  /** Names the metrics (`<name>_outbox_backlog`, `<name>_deliveries_total`, …) and the logs. */
  name: string;
  /** The receiver, for messages ("visits"). */
  target: string;
  db: TransactionalSqlClient;
  table: string;
  /** The primary key column. */
  key: keyof Row & string;
  /** The payload columns `deliver` needs. */
  columns: ReadonlyArray<keyof Row & string>;
  /** Once per batch before its deliveries (e.g. a service token); a failure releases the batch. */
  startBatch(): Promise<Batch>;
  /** One delivery; resolves once the receiver acknowledged the row. */
  deliver(row: Row, batch: Batch): Promise<Receipt>;
  /** Whether an error means the receiver will never accept this row as it is (poison). */
  isRefusal(error: unknown): boolean;
  /** Whether the receiver already had the row. */
  isDuplicate(receipt: Receipt): boolean;
  /** The row in log messages ("visit 8f…"). */
  describeRow(row: Row): string;
  /** Fields of the row for structured logs (no payload: it may be medical). */
  logFields(row: Row): Record<string, unknown>;
  /** What a parked row means, for the operator reading the error log. */
  parkedMeans: string;
  logger: EventsLogger;
  /** Where the metrics are registered (the service's registry); default a private one. */
  registry?: Registry;
  hooks?: {
    /** After the receiver acknowledged a row and before it is marked delivered (tests crash here). */
    afterAcknowledged?(row: Row, receipt: Receipt): void | Promise<void>;
  };
}

export interface LeasedRelay {
  readonly instanceId: string;
  /** Starts the loop (an unref'd timer); idempotent. */
  start(): void;
  /** Delivers everything ready now (rounds until nothing is left or a failure interrupts); shares a run in flight. */
  drain(): Promise<DrainResult>;
  /** Deletes delivered rows older than the retention period; returns how many. */
  purge(): Promise<number>;
  /** Puts parked rows (all, or these keys) back in the queue with fresh refusal counts. */
  requeueParked(keys?: readonly string[]): Promise<number>;
  stats(): Promise<LeasedOutboxStats>;
  /** Stops the loop; the row being delivered finishes (call, then mark), the rest of its batch is released. */
  stop(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (name: string): string => {
  if (!IDENTIFIER.test(name)) throw new Error(`leased relay: ${JSON.stringify(name)} is not a plain SQL identifier`);
  return `\`${name}\``;
};
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const rowsOf = (result: unknown) => (Array.isArray(result) ? (result as Array<Record<string, unknown>>) : []);

export function describeError(error: unknown): string {
  const extensions = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  const code = typeof extensions?.code === 'string' ? `${extensions.code}: ` : '';
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${code}${message}${cause}`.slice(0, 1000);
}

export function createLeasedRelay<Row extends LeasedRow, Receipt, Batch>(
  options: LeasedRelayOptions<Row, Receipt, Batch>,
): LeasedRelay {
  const { db, logger, name, target } = options;
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
  if (leaseMs < timeoutMs * 2) throw new Error(`${name} relay: leaseMs (${leaseMs}) must be at least twice timeoutMs (${timeoutMs})`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${name} relay: batchSize must be a positive integer`);

  const table = quote(options.table);
  const key = quote(options.key);
  const selected = [key, ...options.columns.map(quote), '`attempts`', '`refusals`'].join(', ');
  const keyOf = (row: Row) => String(row[options.key]);
  const inKeys = (rows: readonly Row[]) => ({ sql: `${key} IN (${marks(rows.length)})`, values: rows.map(keyOf) });

  // ---- metrics (on the service's registry; the gauges read the table when scraped)
  const registry = options.registry ?? new Registry();
  let statsCache: { at: number; value: Promise<LeasedOutboxStats> } | null = null;
  const cachedStats = () => {
    if (!statsCache || Date.now() - statsCache.at > 500) statsCache = { at: Date.now(), value: stats() };
    return statsCache.value;
  };
  const gauge = (metric: string, help: string, pick: (s: LeasedOutboxStats) => number) =>
    new Gauge({
      name: `${name}_outbox_${metric}`,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(pick(await cachedStats()));
        } catch (error) {
          logger.warn({ err: describeError(error) }, `${name} relay: could not read the outbox for metrics`);
        }
      },
    });
  gauge('backlog', `Rows of the ${name} outbox not yet delivered to ${target} (parked ones included)`, (s) => s.backlog);
  gauge('oldest_age_seconds', `Age of the oldest undelivered row of the ${name} outbox (0 when none)`, (s) => s.oldestAgeSeconds);
  gauge('parked', `Rows of the ${name} outbox parked after repeated refusals by ${target}`, (s) => s.parked);
  const deliveries = new Counter({
    name: `${name}_deliveries_total`,
    help: `Deliveries of the ${name} outbox to ${target} by outcome: delivered, duplicate (${target} had it already), failed (will retry), refused (will retry), parked`,
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const count = (outcome: DeliveryOutcome) => deliveries.inc({ outcome });

  async function stats(): Promise<LeasedOutboxStats> {
    const [row] = rowsOf(
      await db.$queryRawUnsafe(
        `SELECT COUNT(*) AS backlog, COUNT(parkedAt) AS parked,
                TIMESTAMPDIFF(MICROSECOND, MIN(createdAt), UTC_TIMESTAMP(3)) AS age
         FROM ${table} WHERE deliveredAt IS NULL`,
      ),
    );
    return {
      backlog: Number(row?.backlog ?? 0),
      parked: Number(row?.parked ?? 0),
      oldestAgeSeconds: row?.age == null ? 0 : Math.max(0, Number(row.age) / 1e6),
    };
  }

  // ---- claim, mark, fail, release

  /** One short transaction: lock a batch of ready rows (skipping rows other relays are claiming) and lease them. */
  async function claim(): Promise<Row[]> {
    return db.$transaction(
      async (tx) => {
        const rows = rowsOf(
          await tx.$queryRawUnsafe(
            `SELECT ${selected} FROM ${table}
             WHERE deliveredAt IS NULL AND parkedAt IS NULL
               AND (nextAttemptAt IS NULL OR nextAttemptAt <= UTC_TIMESTAMP(3))
               AND (claimedUntil IS NULL OR claimedUntil <= UTC_TIMESTAMP(3))
             ORDER BY createdAt, ${key}
             LIMIT ${batchSize}
             FOR UPDATE SKIP LOCKED`,
          ),
        ).map((r) => ({ ...r, attempts: Number(r.attempts), refusals: Number(r.refusals) }) as unknown as Row);
        if (rows.length > 0) {
          const where = inKeys(rows);
          await tx.$executeRawUnsafe(
            `UPDATE ${table} SET claimedBy = ?, claimedUntil = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND) WHERE ${where.sql}`,
            instanceId,
            leaseMs * 1000,
            ...where.values,
          );
        }
        return rows;
      },
      // READ COMMITTED: the locking read takes no gap locks, so the producer's INSERTs never wait on a claim
      { isolationLevel: 'ReadCommitted', timeout: 10_000 },
    );
  }

  async function markDelivered(row: Row): Promise<void> {
    // unconditional on the claim: an acknowledgement is an acknowledgement, whoever holds the lease
    await db.$executeRawUnsafe(
      `UPDATE ${table} SET deliveredAt = UTC_TIMESTAMP(3), claimedBy = NULL, claimedUntil = NULL, nextAttemptAt = NULL
       WHERE ${key} = ? AND deliveredAt IS NULL`,
      keyOf(row),
    );
  }

  async function recordFailure(row: Row, error: unknown, refusal: boolean): Promise<'failed' | 'refused' | 'parked'> {
    const attempts = row.attempts + 1;
    const refusals = row.refusals + (refusal ? 1 : 0);
    const park = refusal && refusals >= maxRefusals;
    const delay = backoffMs(attempts, baseBackoff, maxBackoff, random);
    const lastError = describeError(error);
    await db.$executeRawUnsafe(
      `UPDATE ${table} SET attempts = ?, refusals = ?, lastError = ?, lastAttemptAt = UTC_TIMESTAMP(3),
         nextAttemptAt = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND),
         parkedAt = ${park ? 'UTC_TIMESTAMP(3)' : 'NULL'}, claimedBy = NULL, claimedUntil = NULL
       WHERE ${key} = ? AND claimedBy = ? AND deliveredAt IS NULL`,
      attempts,
      refusals,
      lastError,
      delay * 1000,
      keyOf(row),
      instanceId,
    );
    const fields = { ...options.logFields(row), attempts, refusals, lastError };
    const what = options.describeRow(row);
    if (park) {
      logger.error(
        { ...fields, maxRefusals },
        `${name.toUpperCase()} OUTBOX ROW PARKED: ${target} refused ${what} ${refusals} times; it is not retried until an operator requeues it (${options.parkedMeans})`,
      );
      return 'parked';
    }
    if (refusal) {
      logger.warn({ ...fields, retryInMs: delay }, `${target} refused ${what}; retrying (parked after ${maxRefusals} refusals)`);
      return 'refused';
    }
    return 'failed';
  }

  async function release(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const where = inKeys(rows);
    await db.$executeRawUnsafe(
      `UPDATE ${table} SET claimedBy = NULL, claimedUntil = NULL WHERE ${where.sql} AND claimedBy = ? AND deliveredAt IS NULL`,
      ...where.values,
      instanceId,
    );
  }

  // ---- delivery

  let stopped = false;
  let failureStreak = 0;

  /** One batch: claim, deliver (a few at a time), mark each row right after its acknowledgement. */
  async function round(result: DrainResult): Promise<number> {
    const rows = await claim();
    if (rows.length === 0) return 0;
    // stop working the batch well before the lease could expire and another relay take it
    const workUntil = Date.now() + leaseMs - timeoutMs - Math.min(1000, leaseMs / 10);
    let batch: Batch;
    try {
      batch = await options.startBatch();
    } catch (error) {
      await release(rows);
      onTransientFailure(error, null);
      result.interrupted = true;
      return rows.length;
    }
    // `concurrency` workers take the batch's rows in order; after a failure that heals or near the
    // end of the lease they start no new row, and the rows nobody started go back.
    let next = 0;
    let halt = false;
    let fatal: unknown;
    let failure: { error: unknown; row: Row } | undefined;
    const worker = async () => {
      while (!halt && !stopped && Date.now() <= workUntil && next < rows.length) {
        const row = rows[next++]!;
        try {
          const error = await deliverRow(row, batch, result);
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
  async function deliverRow(row: Row, batch: Batch, result: DrainResult): Promise<unknown> {
    let receipt: Receipt;
    try {
      receipt = await options.deliver(row, batch);
    } catch (error) {
      const refusal = options.isRefusal(error);
      const outcome = await recordFailure(row, error, refusal);
      count(outcome);
      result[outcome] += 1;
      if (refusal) return undefined;
      // the receiver (or the way to it) is failing: the rest of the batch goes back and the relay backs off
      result.interrupted = true;
      return error ?? new Error('unknown failure');
    }
    await options.hooks?.afterAcknowledged?.(row, receipt);
    await markDelivered(row);
    const duplicate = options.isDuplicate(receipt);
    count(duplicate ? 'duplicate' : 'delivered');
    result.delivered += 1;
    if (duplicate) result.duplicates += 1;
    if (failureStreak > 0) {
      logger.info({ afterFailures: failureStreak }, `${name} relay: ${target} acknowledges deliveries again`);
      failureStreak = 0;
    }
    return undefined;
  }

  function onTransientFailure(error: unknown, row: Row | null): void {
    failureStreak += 1;
    // loud on the first failure of a streak, then every 10th: the receiver may be down for a while
    if (failureStreak === 1 || failureStreak % 10 === 0) {
      logger.warn(
        { err: describeError(error), ...(row ? options.logFields(row) : {}), consecutiveFailures: failureStreak },
        `${name} relay: could not deliver to ${target}; retrying with backoff (nothing is lost: rows stay in the outbox)`,
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
      const deleted = Number(
        await db.$executeRawUnsafe(
          `DELETE FROM ${table}
           WHERE deliveredAt IS NOT NULL AND deliveredAt < DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
           LIMIT 1000`,
          retentionMs * 1000,
        ),
      );
      total += deleted;
      if (deleted < 1000) break;
    }
    if (total > 0) logger.info({ deleted: total }, `${name} relay: deleted delivered outbox rows past retention`);
    return total;
  }

  async function requeueParked(keys?: readonly string[]): Promise<number> {
    if (keys && keys.length === 0) return 0;
    const only = keys ? `AND ${key} IN (${marks(keys.length)})` : '';
    const n = Number(
      await db.$executeRawUnsafe(
        `UPDATE ${table} SET parkedAt = NULL, refusals = 0, nextAttemptAt = NULL WHERE parkedAt IS NOT NULL AND deliveredAt IS NULL ${only}`,
        ...(keys ?? []),
      ),
    );
    logger.info({ requeued: n, keys }, `${name} relay: parked outbox rows requeued`);
    return n;
  }

  // ---- the loop: drain, purge now and then, back off after a failure that heals

  let nextPurgeAt = 0;
  const loop: RelayLoop = createRelayLoop({
    intervalMs,
    baseBackoffMs: baseBackoff,
    maxBackoffMs: maxBackoff,
    random,
    async round() {
      const result = await drain();
      if (!stopped && Date.now() >= nextPurgeAt) {
        nextPurgeAt = Date.now() + purgeEveryMs;
        await purge();
      }
      return { backoff: result.interrupted };
    },
    // the database itself failed (claim or mark): the rows stay as they are
    onError: (error, retryInMs) => logger.error({ err: describeError(error), retryInMs }, `${name} relay: round failed`),
  });

  return {
    instanceId,
    start: () => loop.start(),
    drain,
    purge,
    requeueParked,
    stats,
    async stop() {
      stopped = true;
      // the round in flight ends after its current rows (each marked once acknowledged), or its purge
      await Promise.all([loop.stop(), draining?.catch(() => undefined)]);
    },
  };
}
