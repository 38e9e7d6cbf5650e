import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type VisitsDb = PrismaClient;
export { Prisma };
export type { HistoricVisit as HistoricVisitRow, HistoricVisitStatus, VisitAddendum as VisitAddendumRow } from './generated/prisma/client.js';

/** visits' own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): VisitsDb {
  return createServiceDb(PrismaClient, url, options);
}
