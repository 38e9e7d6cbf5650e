import { isEnvelope, type EventEnvelope } from './envelope.js';

/** One undelivered event. `seq` orders delivery (oldest first). */
export interface OutboxRow {
  seq: bigint | number;
  stream: string;
  envelope: EventEnvelope;
}

/**
 * Local, durable holding area for events Redis could not take (yet). `tx` lets a caller write the
 * event in the same database transaction as the domain change it describes.
 */
export interface OutboxStore {
  insert(env: EventEnvelope, stream: string, tx?: unknown): Promise<void>;
  takeBatch(limit: number): Promise<OutboxRow[]>;
  remove(seqs: ReadonlyArray<bigint | number>): Promise<void>;
  count(): Promise<number>;
}

/**
 * Duck-typed Prisma client (or interactive-transaction client): only the raw methods are used, so the
 * library needs neither a generated client nor @prisma/client. Placeholders are `?` (MySQL/MariaDB).
 */
export interface SqlClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
}

export const OUTBOX_TABLE = 'event_outbox';

/**
 * DDL for the outbox table, equal to what Prisma generates for the `EventOutbox` model in the README
 * (same column types and the `event_outbox_eventId_key` index name), valid for MySQL 8 and MariaDB 10.11.
 * Paste it into a service's migration; it has no IF NOT EXISTS on purpose, like Prisma's own output.
 */
export const OUTBOX_TABLE_SQL = `CREATE TABLE \`event_outbox\` (
    \`seq\` BIGINT NOT NULL AUTO_INCREMENT,
    \`stream\` VARCHAR(200) NOT NULL,
    \`eventId\` VARCHAR(36) NOT NULL,
    \`envelope\` LONGTEXT NOT NULL,
    \`createdAt\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX \`event_outbox_eventId_key\`(\`eventId\`),
    PRIMARY KEY (\`seq\`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;`;

function isSqlClient(value: unknown): value is SqlClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SqlClient).$executeRawUnsafe === 'function' &&
    typeof (value as SqlClient).$queryRawUnsafe === 'function'
  );
}

function toRows(result: unknown): Array<Record<string, unknown>> {
  return Array.isArray(result) ? (result as Array<Record<string, unknown>>) : [];
}

/**
 * Which rows of the table an outbox delivers: all of them (default), only those of some streams,
 * or all but those. One table, several relays: each cluster's events go to that cluster's Redis
 * by a relay of their own, so a cluster that is down holds back only its own rows, in order.
 *
 * `route`: the rows of a stream whose name is the same in every cluster (`events:audit`) are told
 * apart by a route written before it (`us-1>events:audit`): this outbox writes its rows so and
 * delivers only those (with the plain name, and the streams of `only`). `except` outboxes never
 * deliver a routed row.
 */
export interface OutboxPartition {
  only?: readonly string[];
  except?: readonly string[];
  route?: string;
}

/** Between a route and a stream name in the outbox's `stream` column. */
export const ROUTE_SEPARATOR = '>';

function partitionFilter(partition: OutboxPartition): { where: string; values: string[] } {
  const marks = (list: readonly string[]) => list.map(() => '?').join(', ');
  const routed = `\`stream\` LIKE ?`;
  if (partition.route !== undefined) {
    const prefix = `${partition.route.replace(/[\\%_]/g, (c) => `\\${c}`)}${ROUTE_SEPARATOR}%`;
    const only = partition.only ?? [];
    return only.length
      ? { where: `WHERE (\`stream\` IN (${marks(only)}) OR ${routed})`, values: [...only, prefix] }
      : { where: `WHERE ${routed}`, values: [prefix] };
  }
  if (partition.only) return partition.only.length ? { where: `WHERE \`stream\` IN (${marks(partition.only)})`, values: [...partition.only] } : { where: 'WHERE 1 = 0', values: [] };
  if (partition.except) {
    const notRouted = `\`stream\` NOT LIKE ?`;
    const anyRoute = `%${ROUTE_SEPARATOR}%`;
    return partition.except.length
      ? { where: `WHERE \`stream\` NOT IN (${marks(partition.except)}) AND ${notRouted}`, values: [...partition.except, anyRoute] }
      : { where: `WHERE ${notRouted}`, values: [anyRoute] };
  }
  return { where: '', values: [] };
}

/** Outbox over the service's own database through a (duck-typed) Prisma client. */
export function createPrismaOutbox(prisma: SqlClient, partition: OutboxPartition = {}): OutboxStore {
  const filter = partitionFilter(partition);
  const routeOf = (stream: string) => (partition.route !== undefined && !partition.only?.includes(stream) ? `${partition.route}${ROUTE_SEPARATOR}${stream}` : stream);
  const unrouted = (stored: string) =>
    partition.route !== undefined && stored.startsWith(`${partition.route}${ROUTE_SEPARATOR}`) ? stored.slice(partition.route.length + 1) : stored;
  return {
    async insert(env, stream, tx) {
      if (tx !== undefined && !isSqlClient(tx)) {
        throw new TypeError('outbox tx must be a Prisma transaction client ($executeRawUnsafe/$queryRawUnsafe)');
      }
      const db = tx ?? prisma;
      // The same event id twice (a retried publish) is one event: keep the first row.
      await db.$executeRawUnsafe(
        'INSERT INTO `event_outbox` (`stream`, `eventId`, `envelope`) VALUES (?, ?, ?) ' +
          'ON DUPLICATE KEY UPDATE `eventId` = `eventId`',
        routeOf(stream),
        env.id,
        JSON.stringify(env),
      );
    },

    async takeBatch(limit) {
      // Inlined (validated) because some drivers reject a placeholder in LIMIT.
      const n = Math.max(1, Math.floor(limit));
      const rows = toRows(
        await prisma.$queryRawUnsafe(
          `SELECT \`seq\`, \`stream\`, \`envelope\` FROM \`event_outbox\` ${filter.where} ORDER BY \`seq\` ASC LIMIT ${n}`,
          ...filter.values,
        ),
      );
      return rows.map((row) => {
        const envelope: unknown = JSON.parse(String(row.envelope));
        if (!isEnvelope(envelope)) throw new Error(`event_outbox row ${String(row.seq)} holds no envelope`);
        return { seq: row.seq as bigint | number, stream: unrouted(String(row.stream)), envelope };
      });
    },

    async remove(seqs) {
      if (seqs.length === 0) return;
      const marks = seqs.map(() => '?').join(', ');
      await prisma.$executeRawUnsafe(`DELETE FROM \`event_outbox\` WHERE \`seq\` IN (${marks})`, ...seqs);
    },

    async count() {
      const rows = toRows(await prisma.$queryRawUnsafe(`SELECT COUNT(*) AS \`n\` FROM \`event_outbox\` ${filter.where}`, ...filter.values));
      // Drivers return COUNT(*) as bigint, number or string.
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/** In-process outbox for unit tests and tools; it is not durable, so services should not use it. */
export function createMemoryOutbox(): OutboxStore & { rows: OutboxRow[] } {
  const rows: OutboxRow[] = [];
  let nextSeq = 1;
  return {
    rows,
    async insert(env, stream) {
      if (rows.some((r) => r.envelope.id === env.id)) return;
      rows.push({ seq: nextSeq++, stream, envelope: env });
    },
    async takeBatch(limit) {
      return rows.slice(0, Math.max(1, Math.floor(limit)));
    },
    async remove(seqs) {
      const gone = new Set(seqs.map((s) => Number(s)));
      for (let i = rows.length - 1; i >= 0; i--) {
        if (gone.has(Number(rows[i]?.seq))) rows.splice(i, 1);
      }
    },
    async count() {
      return rows.length;
    },
  };
}
