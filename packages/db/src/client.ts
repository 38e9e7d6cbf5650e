import { PrismaMariaDb } from '@prisma/adapter-mariadb';

export interface ServiceDbOptions {
  /** Called with every SQL statement Prisma sends (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

type QueryLog = Array<{ emit: 'event'; level: 'query' }>;

/** A service's generated PrismaClient class (each service has its own, from its own schema). */
export interface PrismaClientClass<C> {
  new (options: { adapter: PrismaMariaDb; log?: QueryLog }): C;
}

/**
 * A service's own database (DESIGN.md: one database per service) through Prisma's MariaDB adapter,
 * written once for every service's `db.ts`. With `onQuery`, every statement is reported.
 */
export function createServiceDb<C>(Client: PrismaClientClass<C>, url: string, options: ServiceDbOptions = {}): C {
  // The driver's text protocol: one round trip per statement. Its binary protocol, as the adapter
  // uses it (no statement cache, because cached statements leaked on the server in the past),
  // sends PREPARE, EXECUTE and CLOSE for every query: three round trips and ≈15% more CPU per
  // query here (issue 14, docs/benchmarks.md). Values are still sent apart from the SQL and escaped
  // by the driver, never spliced in. What the binary protocol fixed (large DECIMAL values,
  // prisma/prisma#29160) concerns no column of ours: client.test.ts fails when a schema gains one.
  const adapter = new PrismaMariaDb(url, { useTextProtocol: true });
  if (!options.onQuery) return new Client({ adapter });
  const db = new Client({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  // $on('query') exists only on a client created with query events, as this one is
  (db as unknown as { $on(event: 'query', listener: (e: { query: string }) => void): void }).$on('query', (e) => onQuery(e.query));
  return db;
}
