import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type VisitsDb = PrismaClient;
export { Prisma };
export type { HistoricVisit as HistoricVisitRow, HistoricVisitStatus, VisitAddendum as VisitAddendumRow } from './generated/prisma/client.js';

export interface CreateDbOptions {
  /** Called with every SQL statement Prisma sends (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

/** visits' own database (DESIGN.md: one database per service), through Prisma's MariaDB adapter. */
export function createDb(url: string, options: CreateDbOptions = {}): VisitsDb {
  const adapter = new PrismaMariaDb(url);
  if (!options.onQuery) return new PrismaClient({ adapter });
  const db = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  db.$on('query', (event) => onQuery(event.query));
  return db;
}
