import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from './generated/prisma/client.js';

export type AdminDb = PrismaClient;
export type { Clinic, ClinicStatus } from './generated/prisma/client.js';

/** admin's own database (DESIGN.md: one database per service), through Prisma's MariaDB adapter. */
export function createDb(url: string): AdminDb {
  return new PrismaClient({ adapter: new PrismaMariaDb(url) });
}
