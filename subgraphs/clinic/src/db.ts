import { createServiceDb, type ServiceDbOptions } from '@clinicult/db';
import { Prisma, PrismaClient } from './generated/prisma/client.js';

export type ClinicDb = PrismaClient;
export type ClinicTx = Prisma.TransactionClient;
export { Prisma };
export type {
  CatalogTemplate as CatalogTemplateRow,
  ClinicSettings as ClinicSettingsRow,
  Template as TemplateRow,
  TemplateKind,
  TemplateVersion as TemplateVersionRow,
} from './generated/prisma/client.js';

/** clinic's own database (DESIGN.md: one database per service). */
export function createDb(url: string, options: ServiceDbOptions = {}): ClinicDb {
  return createServiceDb(PrismaClient, url, options);
}
