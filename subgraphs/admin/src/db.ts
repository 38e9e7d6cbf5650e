import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { PrismaClient } from './generated/prisma/client.js';

export type AdminDb = PrismaClient;
export type { Clinic, ClinicStatus } from './generated/prisma/client.js';

/** admin's own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): AdminDb {
  return createServiceDb(PrismaClient, url, options);
}
