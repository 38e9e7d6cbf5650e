import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type UsersDb = PrismaClient;
export type UsersTx = Prisma.TransactionClient;
export { Prisma };

/** users' own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): UsersDb {
  return createServiceDb(PrismaClient, url, options);
}
