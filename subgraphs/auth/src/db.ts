import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type AuthDb = PrismaClient;
/** A client inside `db.$transaction(async (tx) => …)`, or the client itself. */
export type AuthTx = Prisma.TransactionClient;
export { Prisma };

/** auth's own database (DESIGN.md: one database per service), through Prisma's MariaDB adapter. */
export function createDb(url: string): AuthDb {
  return new PrismaClient({ adapter: new PrismaMariaDb(url) });
}
