import { badInput, decodeKeyset, encodeKeyset, escapeLike } from '@clinicult/kit';

/** Re-exported for this module's tests and callers: the one definition is the kit's. */
export { escapeLike };
import type { Prisma } from '../db.js';
import { digitsOf, normalizeNationalId } from './validation.js';

/**
 * How `patients(search, filter, first, after)` becomes a WHERE clause. Pure functions (unit-tested
 * in search.test.ts); the clinic condition is added by the caller (patients.ts) to every query.
 * Name comparisons rely on the columns' utf8mb4_unicode_ci collation, so they ignore case and
 * accents ("garcia" finds "García") and the index (clinicId, familyName, givenName, id) serves
 * family-name prefixes and the list order.
 */

/** FHIR identifier systems of the patient's business identifiers (the FHIR facade uses them). */
export const IDENTIFIER_SYSTEMS = {
  mrn: 'urn:clinicult:mrn',
  nationalId: 'urn:clinicult:national-id',
} as const;

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_SEARCH_LENGTH = 100;
const MAX_SEARCH_WORDS = 5;

/** A phone number as typed: digits, spaces and + ( ) - . / only. */
const PHONE_LIKE = /^\+?[0-9][0-9 ()./-]*$/;

/** Phone numbers match on their digits' ending, so "600 123 456" finds "+34 600 123 456". */
export function phoneWhere(phone: string): Prisma.PatientWhereInput {
  return { phoneDigits: { endsWith: escapeLike(digitsOf(phone)) } };
}

/** Each word starts the given or the family name, or a later word of one of them ("lopez" finds "García López"). */
function wordWhere(word: string): Prisma.PatientWhereInput {
  const w = escapeLike(word);
  return {
    OR: [
      { familyName: { startsWith: w } },
      { givenName: { startsWith: w } },
      { familyName: { contains: ` ${w}` } },
      { givenName: { contains: ` ${w}` } },
    ],
  };
}

/** A free-text search in its two halves: the name words, and the whole text as an identifier. */
export interface SearchParts {
  /** every word a name prefix */
  names: Prisma.PatientWhereInput;
  /** the whole text as an MRN, a national id or (when it looks like one) a phone number */
  identifiers: Prisma.PatientWhereInput[];
}

/**
 * Free text: every word is a name prefix (any order: "garcia ana" and "ana garcia"), or the whole
 * text is an MRN, a national id, or (when it looks like one) a phone number.
 */
export function searchParts(search: string | null | undefined): SearchParts | null {
  const text = (search ?? '').trim();
  if (text === '') return null;
  if (text.length > MAX_SEARCH_LENGTH) throw badInput(`search: at most ${MAX_SEARCH_LENGTH} characters.`, ['search']);
  const words = text.split(/\s+/).slice(0, MAX_SEARCH_WORDS);
  const identifiers: Prisma.PatientWhereInput[] = [{ mrn: text }];
  const nationalId = normalizeNationalId(text);
  if (nationalId !== '') identifiers.push({ nationalId });
  if (PHONE_LIKE.test(text) && digitsOf(text).length >= 6) identifiers.push(phoneWhere(text));
  return { names: { AND: words.map(wordWhere) }, identifiers };
}

/** The search as one condition (names OR identifiers). */
export function searchWhere(search: string | null | undefined): Prisma.PatientWhereInput | null {
  const parts = searchParts(search);
  return parts ? { OR: [parts.names, ...parts.identifiers] } : null;
}

export interface IdentifierFilter {
  system?: string | null;
  value: string;
}

export interface PatientFilter {
  givenName?: string | null;
  familyName?: string | null;
  birthDate?: string | null;
  birthDateFrom?: string | null;
  birthDateTo?: string | null;
  gender?: 'MALE' | 'FEMALE' | 'OTHER' | 'UNKNOWN' | null;
  identifier?: IdentifierFilter | null;
  phone?: string | null;
}

/** A DATE column value for a YYYY-MM-DD string (Prisma maps @db.Date to a Date at UTC midnight). */
export function dateValue(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function identifierWhere(identifier: IdentifierFilter): Prisma.PatientWhereInput {
  const value = identifier.value.trim();
  if (value === '') throw badInput('filter.identifier.value: must not be empty.', ['filter.identifier.value']);
  const system = identifier.system?.trim() || null;
  const byMrn: Prisma.PatientWhereInput = { mrn: value };
  const byNationalId: Prisma.PatientWhereInput = { nationalId: normalizeNationalId(value) };
  if (system === null) return { OR: [byMrn, byNationalId] };
  if (system === IDENTIFIER_SYSTEMS.mrn) return byMrn;
  if (system === IDENTIFIER_SYSTEMS.nationalId) return byNationalId;
  throw badInput(
    `filter.identifier.system: unknown system ${JSON.stringify(system)}; use ${IDENTIFIER_SYSTEMS.mrn} or ${IDENTIFIER_SYSTEMS.nationalId} (or leave it out to match either).`,
    ['filter.identifier.system'],
  );
}

function nameFilter(field: 'givenName' | 'familyName', value: string): Prisma.PatientWhereInput {
  const text = value.trim();
  if (text === '') throw badInput(`filter.${field}: must not be empty.`, [`filter.${field}`]);
  if (text.length > MAX_SEARCH_LENGTH) throw badInput(`filter.${field}: at most ${MAX_SEARCH_LENGTH} characters.`, [`filter.${field}`]);
  return { [field]: { startsWith: escapeLike(text) } };
}

/** The structured filter (every given criterion must hold); the shape the FHIR facade maps onto. */
export function filterWhere(filter: PatientFilter | null | undefined): Prisma.PatientWhereInput[] {
  if (!filter) return [];
  const and: Prisma.PatientWhereInput[] = [];
  if (filter.givenName != null) and.push(nameFilter('givenName', filter.givenName));
  if (filter.familyName != null) and.push(nameFilter('familyName', filter.familyName));
  if (filter.birthDate != null) and.push({ birthDate: dateValue(filter.birthDate) });
  if (filter.birthDateFrom != null && filter.birthDateTo != null && filter.birthDateFrom > filter.birthDateTo) {
    throw badInput('filter.birthDateFrom: must not be after birthDateTo.', ['filter.birthDateFrom']);
  }
  if (filter.birthDateFrom != null) and.push({ birthDate: { gte: dateValue(filter.birthDateFrom) } });
  if (filter.birthDateTo != null) and.push({ birthDate: { lte: dateValue(filter.birthDateTo) } });
  if (filter.gender != null) and.push({ gender: filter.gender });
  if (filter.identifier != null) and.push(identifierWhere(filter.identifier));
  if (filter.phone != null) {
    if (!PHONE_LIKE.test(filter.phone.trim()) || digitsOf(filter.phone).length < 6) {
      throw badInput('filter.phone: give at least 6 digits, e.g. +34 912 345 678.', ['filter.phone']);
    }
    and.push(phoneWhere(filter.phone));
  }
  return and;
}

// ---------------------------------------------------------------------------------------------
// Keyset pagination in the stable order (familyName, givenName, id)

type CursorKey = [familyName: string, givenName: string, id: string];

export function encodeCursor(row: { familyName: string; givenName: string; id: string }): string {
  return encodeKeyset([row.familyName, row.givenName, row.id] satisfies CursorKey);
}

export function decodeCursor(cursor: string): CursorKey {
  const parts = decodeKeyset(cursor, ['string', 'string', 'string']);
  if (!parts) throw badInput(
    'after: not a cursor from this list; pass a pageInfo.endCursor or edges.cursor value you received.',
    ['after'],
  );
  return parts as CursorKey;
}

/** Rows after the cursor, in the order familyName, givenName, id (compared with the columns' collation). */
export function afterWhere(cursor: string): Prisma.PatientWhereInput {
  const [familyName, givenName, id] = decodeCursor(cursor);
  return {
    OR: [
      { familyName: { gt: familyName } },
      { familyName, givenName: { gt: givenName } },
      { familyName, givenName, id: { gt: id } },
    ],
  };
}

export const PATIENT_ORDER: Prisma.PatientOrderByWithRelationInput[] = [{ familyName: 'asc' }, { givenName: 'asc' }, { id: 'asc' }];

export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) throw badInput(`first: give a number from 1 to ${max}.`, ['first']);
  return size;
}
