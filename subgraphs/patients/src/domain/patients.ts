import { isStatementTimeout } from '@clinicult/db';
import { conflict, forbiddenError, notFound, parseInput, searchTooBroad } from '@clinicult/kit';
import { hasPermission } from '@clinicult/rbac';
import { Prisma, type PatientRow, type PatientsDb } from '../db.js';
import { recordAudit, type AuditContext } from './audit.js';
import { nextMrn } from './mrn.js';
import { recordVersion } from './patient-versions.js';
import {
  afterWhere,
  dateValue,
  filterWhere,
  encodeCursor,
  IDENTIFIER_SYSTEMS,
  pageSize,
  PATIENT_ORDER,
  searchParts,
  type PatientFilter,
} from './search.js';
import {
  digitsOf,
  medicalFieldsIn,
  registerPatientSchema,
  updatePatientSchema,
  type RegisterPatientInput,
  type UpdatePatientInput,
} from './validation.js';

export type { PatientRow };

/**
 * Patients: registration, updates, reads and search. Every function takes the clinic id and puts
 * it in every WHERE, so another clinic's patients do not exist here (DESIGN.md, tenants).
 */

export const MEDICAL_WRITE = 'clinicult:medical:write';

/** A staff member acting in one clinic (the shield let only staff with the permission through). */
export interface Actor {
  clinicId: string;
  userId: string;
  permissions: readonly string[];
}

/**
 * Who registers or edits a patient: staff, or a FHIR API client with a write scope (issue 18),
 * which is no user — createdBy/updatedBy stay empty and the audit trail names the client.
 */
export type PatientWriter = Omit<Actor, 'userId'> & { userId: string | null };

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

// ---------------------------------------------------------------------------------------------
// Reads

/** One patient of the clinic, or null (other clinics' patients do not exist here). */
export async function getPatient(db: PatientsDb, clinicId: string, id: string): Promise<PatientRow | null> {
  return db.patient.findFirst({ where: { id, clinicId } });
}

/** Entity references and other batched reads: one query for all ids, in the order asked. */
export async function patientsByIds(db: PatientsDb, clinicId: string | null, ids: readonly string[]): Promise<Array<PatientRow | null>> {
  if (clinicId === null) return ids.map(() => null);
  const rows = await db.patient.findMany({ where: { clinicId, id: { in: [...ids] } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

export interface ListPatientsArgs {
  search?: string | null;
  filter?: PatientFilter | null;
  first?: number | null;
  after?: string | null;
}

/**
 * `patients(search, filter, first, after)`. A free-text or phone search runs on `searchDb`
 * (statements stop after SEARCH_TIMEOUT_MS): a word inside names or a phone's ending is no index
 * prefix, so in a very large clinic it scans; past the limit it is answered with BAD_USER_INPUT.
 */
export async function listPatients(
  db: PatientsDb,
  clinicId: string,
  args: ListPatientsArgs,
  options: { searchDb?: PatientsDb | null; searchTimeoutMs?: number } = {},
): Promise<Page<PatientRow>> {
  const searching = (args.search ?? '').trim() !== '' || args.filter?.phone != null;
  const reader = searching && options.searchDb ? options.searchDb : db;
  try {
    return await readPatients(reader, clinicId, args);
  } catch (error) {
    if (!searching || !isStatementTimeout(error)) throw error;
    const field = (args.search ?? '').trim() !== '' ? 'search' : 'filter.phone';
    throw searchTooBroad(field, 'this search matches too many patients', options.searchTimeoutMs, 'Type more of the name (or the whole MRN), or add a birth date.');
  }
}

async function readPatients(db: PatientsDb, clinicId: string, args: ListPatientsArgs): Promise<Page<PatientRow>> {
  const first = pageSize(args.first);
  const filters: Prisma.PatientWhereInput[] = [{ clinicId }, ...filterWhere(args.filter)];
  const search = searchParts(args.search);
  const conditions = search ? [...filters, { OR: [search.names, ...search.identifiers] }] : filters;
  const where: Prisma.PatientWhereInput = { AND: args.after ? [...conditions, afterWhere(args.after)] : conditions };
  // The page walks the (clinicId, familyName, givenName, id) index in order and stops at first + 1.
  // The count of the same OR would read every row of the clinic (the identifier halves are in other
  // indexes, so no one index covers it): it is counted as names (covered by that index) plus the
  // few identifier matches whose names do not match.
  const count = search
    ? Promise.all([
        db.patient.count({ where: { AND: [...filters, search.names] } }),
        db.patient.count({ where: { AND: [...filters, { OR: search.identifiers }, { NOT: search.names }] } }),
      ]).then(([byName, byIdentifierOnly]) => byName + byIdentifierOnly)
    : db.patient.count({ where: { AND: filters } });
  const [rows, totalCount] = await Promise.all([db.patient.findMany({ where, orderBy: PATIENT_ORDER, take: first + 1 }), count]);
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}

/** `Patient.identifiers`: the business identifiers with their FHIR systems. */
export function identifiersOf(row: Pick<PatientRow, 'mrn' | 'nationalId'>): Array<{ system: string; value: string }> {
  const list: Array<{ system: string; value: string }> = [{ system: IDENTIFIER_SYSTEMS.mrn, value: row.mrn }];
  if (row.nationalId) list.push({ system: IDENTIFIER_SYSTEMS.nationalId, value: row.nationalId });
  return list;
}

// ---------------------------------------------------------------------------------------------
// Writes

function refuseMedicalWithoutPermission(actor: PatientWriter, input: Record<string, unknown>, operation: string): void {
  const medical = medicalFieldsIn(input);
  if (medical.length > 0 && !hasPermission(actor.permissions, MEDICAL_WRITE)) {
    const error = forbiddenError(
      `${operation}: ${medical.join(', ')} ${medical.length === 1 ? 'is medical data and needs' : 'are medical data and need'} ` +
        `${MEDICAL_WRITE} (a NURSE or DOCTOR); nothing was saved. Leave ${medical.length === 1 ? 'it' : 'them'} out to save the rest.`,
    );
    error.extensions.fields = medical;
    throw error;
  }
}

const json = (value: unknown) => (value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue));

/** The columns an input sets (only the keys present; null clears). */
function columnsOf(input: RegisterPatientInput | UpdatePatientInput): Prisma.PatientUncheckedUpdateInput {
  const data: Prisma.PatientUncheckedUpdateInput = {};
  if (input.mrn != null) data.mrn = input.mrn;
  if (input.nationalId !== undefined) data.nationalId = input.nationalId;
  if (input.givenName != null) data.givenName = input.givenName;
  if (input.familyName != null) data.familyName = input.familyName;
  if (input.birthDate != null) data.birthDate = dateValue(input.birthDate);
  if (input.gender != null) data.gender = input.gender;
  if (input.phone !== undefined) {
    data.phone = input.phone;
    data.phoneDigits = input.phone === null ? null : digitsOf(input.phone);
  }
  if (input.email !== undefined) data.email = input.email;
  if (input.address !== undefined) data.address = json(input.address);
  if (input.emergencyContact !== undefined) data.emergencyContact = json(input.emergencyContact);
  if (input.bloodType !== undefined) data.bloodType = input.bloodType;
  if (input.allergies !== undefined) data.allergies = json(input.allergies);
  if (input.chronicConditions !== undefined) data.chronicConditions = json(input.chronicConditions);
  if (input.currentMedications !== undefined) data.currentMedications = json(input.currentMedications);
  if (input.medicalNotes !== undefined) data.medicalNotes = input.medicalNotes;
  return data;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function mrnTaken(mrn: string) {
  const error = conflict(`mrn: ${mrn} is already the record number of another patient of this clinic; give another one or leave it out to get a new one.`, {
    reason: 'MRN_TAKEN',
  });
  error.extensions.fields = ['mrn'];
  return error;
}

export interface PossibleDuplicate {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
}

/** Patients of the clinic with the same name and birth date, or the same national id. */
export async function findPossibleDuplicates(
  db: PatientsDb,
  clinicId: string,
  person: { givenName: string; familyName: string; birthDate: string; nationalId?: string | null },
): Promise<PossibleDuplicate[]> {
  const or: Prisma.PatientWhereInput[] = [
    { givenName: person.givenName, familyName: person.familyName, birthDate: dateValue(person.birthDate) },
  ];
  if (person.nationalId) or.push({ nationalId: person.nationalId });
  const rows = await db.patient.findMany({
    where: { clinicId, OR: or },
    select: { id: true, mrn: true, givenName: true, familyName: true, birthDate: true },
    orderBy: PATIENT_ORDER,
    take: 10,
  });
  return rows.map((r) => ({ ...r, birthDate: r.birthDate.toISOString().slice(0, 10) }));
}

const MRN_ATTEMPTS = 5;

/**
 * Registers a patient. Refuses (CONFLICT, reason POSSIBLE_DUPLICATE, with the candidates) when the
 * clinic already has someone with the same name and birth date or the same national id, unless
 * the input says `allowPossibleDuplicate: true`. The MRN is generated from the clinic's counter
 * when not given (a given one that is taken is CONFLICT, reason MRN_TAKEN).
 */
export async function registerPatient(db: PatientsDb, actor: PatientWriter, audit: AuditContext, raw: unknown): Promise<PatientRow> {
  const input = parseInput(registerPatientSchema, raw);
  refuseMedicalWithoutPermission(actor, input, 'registerPatient');
  const { clinicId } = actor;
  if (!input.allowPossibleDuplicate) {
    const duplicates = await findPossibleDuplicates(db, clinicId, input);
    if (duplicates.length > 0) {
      const list = duplicates.map((d) => `${d.mrn} ${d.givenName} ${d.familyName} (${d.birthDate})`).join('; ');
      throw conflict(
        `This may be a patient already registered: ${list}. Open that record instead, or register again with ` +
          'allowPossibleDuplicate: true if this is a different person.',
        { reason: 'POSSIBLE_DUPLICATE', duplicates },
      );
    }
  }
  const columns = columnsOf(input) as Prisma.PatientUncheckedCreateInput;
  let patient: PatientRow | null = null;
  for (let attempt = 1; !patient; attempt++) {
    const mrn = input.mrn ?? (await nextMrn(db, clinicId));
    try {
      // the patient and its first version together (FHIR vread)
      patient = await db.$transaction(async (tx) => {
        const row = await tx.patient.create({
          data: { ...columns, clinicId, mrn, gender: input.gender ?? 'UNKNOWN', createdBy: actor.userId, updatedBy: actor.userId },
        });
        await recordVersion(tx, row);
        return row;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A given MRN that is taken is the caller's to fix; a generated one collided with an MRN
      // typed by hand earlier: take the next number.
      if (input.mrn || attempt >= MRN_ATTEMPTS) throw mrnTaken(mrn);
    }
  }
  await recordAudit(audit, {
    action: 'patient.register',
    patientId: patient.id,
    fields: Object.keys(columns).filter((k) => k !== 'phoneDigits'),
  });
  return patient;
}

function staleVersion(current: number, expected?: number | null) {
  return conflict(
    `This patient was changed by someone else (now version ${current}${expected != null ? `, you sent ${expected}` : ''}); reload it and apply your change again.`,
    { reason: 'STALE_VERSION', currentVersion: current },
  );
}

/**
 * Updates the fields given (null clears an optional one). With `expectedVersion`, a patient changed
 * since is refused with CONFLICT (extensions.currentVersion); the UPDATE itself is conditional on
 * the version read, so two concurrent updates never silently overwrite each other.
 */
export async function updatePatient(
  db: PatientsDb,
  actor: PatientWriter,
  audit: AuditContext,
  id: string,
  raw: unknown,
  expectedVersion?: number | null,
): Promise<PatientRow> {
  const input = parseInput(updatePatientSchema, raw);
  refuseMedicalWithoutPermission(actor, input, 'updatePatient');
  const { clinicId } = actor;
  const current = await getPatient(db, clinicId, id);
  if (!current) throw notFound(`No patient with id ${id} in this clinic.`);
  if (expectedVersion != null && expectedVersion !== current.version) throw staleVersion(current.version, expectedVersion);
  const data = columnsOf(input);
  let updated: PatientRow | null;
  try {
    // the update is conditional on the version read; the version it makes is kept with it
    updated = await db.$transaction(async (tx) => {
      const { count } = await tx.patient.updateMany({
        where: { id, clinicId, version: current.version },
        data: { ...data, version: { increment: 1 }, updatedBy: actor.userId },
      });
      if (count === 0) return null;
      const row = (await tx.patient.findFirst({ where: { id, clinicId } }))!;
      await recordVersion(tx, row);
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error) && input.mrn) throw mrnTaken(input.mrn);
    throw error;
  }
  if (!updated) {
    const now = await getPatient(db, clinicId, id);
    if (!now) throw notFound(`No patient with id ${id} in this clinic.`);
    throw staleVersion(now.version, expectedVersion);
  }
  await recordAudit(audit, {
    action: 'patient.update',
    patientId: id,
    fields: Object.keys(data).filter((k) => k !== 'phoneDigits'),
  });
  return updated;
}
