import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type PatientsDb = PrismaClient;
export type PatientsTx = Prisma.TransactionClient;
export { Prisma };
export type { Patient as PatientRow, CurrentVisit as VisitRow, Gender, VisitState } from './generated/prisma/client.js';

/** patients' own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): PatientsDb {
  return createServiceDb(PrismaClient, url, options);
}
