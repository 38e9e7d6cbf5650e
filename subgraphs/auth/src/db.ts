import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from './generated/prisma/client.js';

export type AuthDb = PrismaClient;

/** auth's own database (DESIGN.md: one database per service), through Prisma's MariaDB adapter. */
export function createDb(url: string): AuthDb {
  return new PrismaClient({ adapter: new PrismaMariaDb(url) });
}
