import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type AuthDb = PrismaClient;
/** A client inside `db.$transaction(async (tx) => …)`, or the client itself. */
export type AuthTx = Prisma.TransactionClient;
export { Prisma };

/** auth's own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): AuthDb {
  return createServiceDb(PrismaClient, url, options);
}
