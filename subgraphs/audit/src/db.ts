import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type AuditDb = PrismaClient;
export type { AuditEvent as AuditEventRow } from './generated/prisma/client.js';
export { Prisma };

/** audit's own database (DESIGN.md: one database per service), through Prisma's MariaDB adapter. */
export function createDb(url: string): AuditDb {
  return new PrismaClient({ adapter: new PrismaMariaDb(url) });
}
