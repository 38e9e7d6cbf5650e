import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type AuditDb = PrismaClient;
export type { AuditEvent as AuditEventRow } from './generated/prisma/client.js';
export { Prisma };

/** audit's own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): AuditDb {
  return createServiceDb(PrismaClient, url, options);
}
