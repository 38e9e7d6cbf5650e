import type { Address, Bundle, ContactPoint, HumanName, Identifier, Patient } from '@medplum/fhirtypes';
import { decodeCursor, encodeCursor, searchset } from './bundle.js';
import { clinicOf, gql, type FhirContext, type FhirResult } from './context.js';
import { badRequest, FhirError, notFound, unprocessable } from './outcome.js';
import { validateIncoming } from './validate.js';
import { dateBounds, dateRange, isId, single, token, type ParamTable, type SearchRequest } from './params.js';

export const MRN_SYSTEM = 'urn:clinicult:mrn';
export const NATIONAL_ID_SYSTEM = 'urn:clinicult:national-id';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const V2_0131 = 'http://terminology.hl7.org/CodeSystem/v2-0131';

export const PATIENT_FIELDS = `id mrn nationalId givenName familyName birthDate gender phone email
  address { line1 line2 city postalCode region country } emergencyContact { name relationship phone }
  version updatedAt`;

export interface PatientNode {
  id: string;
  mrn: string;
  nationalId?: string | null;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: 'MALE' | 'FEMALE' | 'OTHER' | 'UNKNOWN';
  phone?: string | null;
  email?: string | null;
  address?: { line1?: string | null; line2?: string | null; city?: string | null; postalCode?: string | null; region?: string | null; country?: string | null } | null;
  emergencyContact?: { name: string; relationship?: string | null; phone?: string | null } | null;
  version: number;
  updatedAt: string;
}

export const PATIENT_PARAMS: ParamTable = {
  _id: { type: 'token', documentation: 'The patient id (one, or a comma list).' },
  identifier: { type: 'token', documentation: `MRN (${MRN_SYSTEM}) or national id (${NATIONAL_ID_SYSTEM}): system|value or value.` },
  name: { type: 'string', documentation: 'Name prefixes in any order, ignoring case and accents.' },
  family: { type: 'string', documentation: 'Family name prefix, ignoring case and accents.' },
  given: { type: 'string', documentation: 'Given name prefix, ignoring case and accents.' },
  birthdate: { type: 'date', documentation: 'Birth date, with the prefixes eq, ge, gt, le, lt (YYYY, YYYY-MM or YYYY-MM-DD).' },
  gender: { type: 'token', documentation: 'male | female | other | unknown.' },
  phone: { type: 'token', documentation: 'Phone number (its digits).' },
};

const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))) as T;

export function toFhirPatient(p: PatientNode): Patient {
  const identifier: Identifier[] = [
    { use: 'usual', type: { coding: [{ system: V2_0203, code: 'MR', display: 'Medical record number' }] }, system: MRN_SYSTEM, value: p.mrn },
  ];
  if (p.nationalId) {
    identifier.push({
      use: 'official',
      type: { coding: [{ system: V2_0203, code: 'NI', display: 'National unique individual identifier' }] },
      system: NATIONAL_ID_SYSTEM,
      value: p.nationalId,
    });
  }
  const telecom: ContactPoint[] = [];
  if (p.phone) telecom.push({ system: 'phone', value: p.phone });
  if (p.email) telecom.push({ system: 'email', value: p.email });
  const a = p.address;
  const address: Address | undefined = a
    ? compact({
        line: [a.line1, a.line2].filter((l): l is string => !!l),
        city: a.city ?? undefined,
        postalCode: a.postalCode ?? undefined,
        state: a.region ?? undefined,
        country: a.country ?? undefined,
      })
    : undefined;
  const c = p.emergencyContact;
  return compact<Patient>({
    resourceType: 'Patient',
    id: p.id,
    meta: { versionId: String(p.version), lastUpdated: p.updatedAt },
    identifier,
    active: true,
    name: [{ use: 'official', family: p.familyName, given: [p.givenName] }],
    telecom,
    gender: p.gender.toLowerCase() as Patient['gender'],
    birthDate: p.birthDate,
    address: address && Object.keys(address).length ? [address] : undefined,
    contact: c
      ? [
          compact({
            relationship: [
              { coding: [{ system: V2_0131, code: 'C', display: 'Emergency Contact' }] },
              ...(c.relationship ? [{ text: c.relationship }] : []),
            ],
            name: { text: c.name },
            telecom: c.phone ? [{ system: 'phone' as const, value: c.phone }] : undefined,
          }),
        ]
      : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// FHIR → GraphQL input

const ALLOWED = new Set(['resourceType', 'id', 'meta', 'text', 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'address', 'contact']);

function list(value: unknown, path: string): any[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw unprocessable(`${path} must be an array.`, [path]);
  return value;
}

function str(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw unprocessable(`${path} must be a string.`, [path]);
  return value.trim() === '' ? undefined : value;
}

/** The demographics of a Patient resource, as the fields of registerPatient/updatePatient. */
export interface PatientFields {
  mrn?: string;
  nationalId: string | null;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: PatientNode['gender'];
  phone: string | null;
  email: string | null;
  address: Record<string, string | null> | null;
  emergencyContact: { name: string; relationship: string | null; phone: string | null } | null;
}

/**
 * Reads a Patient resource into our fields. Elements this server does not store are refused (422)
 * rather than silently dropped, so a client never believes something was saved that was not.
 */
export function fromFhirPatient(body: unknown): PatientFields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a FHIR Patient resource (JSON object).');
  const resource = body as Record<string, unknown>;
  if (resource.resourceType !== 'Patient') throw badRequest(`The body must be a Patient resource, not ${String(resource.resourceType)}.`, ['resourceType']);
  // R4 first (types, formats, unknown elements: 400), then what this server can hold (422)
  validateIncoming(resource as unknown as Patient);
  const unsupported = Object.keys(resource).filter((k) => !ALLOWED.has(k));
  if (unsupported.length) {
    throw unprocessable(`This server does not store Patient.${unsupported.join(', Patient.')}; leave ${unsupported.length === 1 ? 'it' : 'them'} out.`, unsupported.map((k) => `Patient.${k}`));
  }
  if (resource.active === false) throw unprocessable('Patient.active: this server keeps active patients only.', ['Patient.active']);

  const names = list(resource.name, 'Patient.name') as HumanName[];
  const name = names.find((n) => n?.use === 'official') ?? names.find((n) => n?.use === 'usual') ?? names[0];
  const familyName = str(name?.family, 'Patient.name.family');
  const given = list(name?.given, 'Patient.name.given').map((g, i) => str(g, `Patient.name.given[${i}]`)).filter(Boolean);
  if (!familyName || given.length === 0) throw unprocessable('Patient.name: a family name and a given name are required.', ['Patient.name']);

  const birthDate = str(resource.birthDate, 'Patient.birthDate');
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) throw unprocessable('Patient.birthDate: a full date (YYYY-MM-DD) is required.', ['Patient.birthDate']);

  const genderText = str(resource.gender, 'Patient.gender') ?? 'unknown';
  if (!['male', 'female', 'other', 'unknown'].includes(genderText)) throw unprocessable('Patient.gender: male, female, other or unknown.', ['Patient.gender']);

  let mrn: string | undefined;
  let nationalId: string | null = null;
  for (const [i, id] of list(resource.identifier, 'Patient.identifier').entries()) {
    const system = str(id?.system, `Patient.identifier[${i}].system`);
    const value = str(id?.value, `Patient.identifier[${i}].value`);
    if (!value) throw unprocessable(`Patient.identifier[${i}]: a value is required.`, [`Patient.identifier[${i}]`]);
    if (system === MRN_SYSTEM) mrn = value;
    else if (system === NATIONAL_ID_SYSTEM) nationalId = value;
    else throw unprocessable(`Patient.identifier[${i}]: the system must be ${MRN_SYSTEM} or ${NATIONAL_ID_SYSTEM}.`, [`Patient.identifier[${i}].system`]);
  }

  let phone: string | null = null;
  let email: string | null = null;
  for (const [i, t] of list(resource.telecom, 'Patient.telecom').entries()) {
    const value = str(t?.value, `Patient.telecom[${i}].value`) ?? null;
    if (t?.system === 'phone' || t?.system === 'sms') phone ??= value;
    else if (t?.system === 'email') email ??= value;
    else throw unprocessable(`Patient.telecom[${i}]: this server stores one phone and one email.`, [`Patient.telecom[${i}].system`]);
  }

  const addresses = list(resource.address, 'Patient.address');
  if (addresses.length > 1) throw unprocessable('Patient.address: this server stores one address.', ['Patient.address']);
  const a = addresses[0] as Address | undefined;
  const lines = list(a?.line, 'Patient.address.line');
  if (lines.length > 2) throw unprocessable('Patient.address.line: at most two lines.', ['Patient.address.line']);
  const address = a
    ? {
        line1: str(lines[0], 'Patient.address.line[0]') ?? null,
        line2: str(lines[1], 'Patient.address.line[1]') ?? null,
        city: str(a.city, 'Patient.address.city') ?? null,
        postalCode: str(a.postalCode, 'Patient.address.postalCode') ?? null,
        region: str(a.state, 'Patient.address.state') ?? null,
        country: str(a.country, 'Patient.address.country') ?? null,
      }
    : null;

  const contacts = list(resource.contact, 'Patient.contact');
  if (contacts.length > 1) throw unprocessable('Patient.contact: this server stores one (emergency) contact.', ['Patient.contact']);
  let emergencyContact: PatientFields['emergencyContact'] = null;
  if (contacts[0]) {
    const c = contacts[0] as { name?: HumanName; relationship?: Array<{ text?: string; coding?: Array<{ code?: string; display?: string }> }>; telecom?: ContactPoint[] };
    const contactName =
      str(c.name?.text, 'Patient.contact.name.text') ?? [...(c.name?.given ?? []), c.name?.family].filter(Boolean).join(' ');
    if (!contactName) throw unprocessable('Patient.contact.name: the contact\'s name is required.', ['Patient.contact.name']);
    const relationship = (c.relationship ?? []).map((r) => r.text ?? r.coding?.find((x) => x.code !== 'C')?.display).find(Boolean) ?? null;
    const contactPhone = (c.telecom ?? []).find((t) => t.system === 'phone')?.value ?? null;
    emergencyContact = { name: contactName, relationship, phone: contactPhone };
  }

  return {
    ...(mrn ? { mrn } : {}),
    nationalId,
    givenName: given.join(' '),
    familyName,
    birthDate,
    gender: genderText.toUpperCase() as PatientFields['gender'],
    phone,
    email,
    address,
    emergencyContact,
  };
}

// ---------------------------------------------------------------------------------------------
// Interactions

function versioned(ctx: FhirContext, patient: Patient, status = 200): FhirResult {
  return {
    status,
    body: patient,
    headers: {
      etag: `W/"${patient.meta!.versionId}"`,
      'last-modified': new Date(patient.meta!.lastUpdated!).toUTCString(),
      ...(status === 201 ? { location: `${ctx.base}/Patient/${patient.id}/_history/${patient.meta!.versionId}` } : {}),
    },
  };
}

export async function loadPatient(ctx: FhirContext, id: string): Promise<PatientNode> {
  clinicOf(ctx);
  if (!isId(id)) throw notFound('Patient', id);
  const data = await gql<{ patient: PatientNode | null }>(ctx, `query FhirPatient($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} } }`, { id });
  if (!data.patient) throw notFound('Patient', id);
  return data.patient;
}

export async function readPatient(ctx: FhirContext, id: string): Promise<FhirResult> {
  return versioned(ctx, toFhirPatient(await loadPatient(ctx, id)));
}

const VERSION_FIELDS = `version recordedAt mrn nationalId givenName familyName birthDate gender phone email
  address { line1 line2 city postalCode region country } emergencyContact { name relationship phone }`;

interface VersionNode extends Omit<PatientNode, 'id' | 'updatedAt'> {
  recordedAt: string;
}

/** A patient's stored versions, newest first (at most 100; `version`: that one only); null: no such patient here. */
async function loadVersions(ctx: FhirContext, id: string, options: { first: number; version?: number }): Promise<Patient[] | null> {
  clinicOf(ctx);
  if (!isId(id)) return null;
  const data = await gql<{ patient: { id: string; versions: VersionNode[] } | null }>(
    ctx,
    `query FhirPatientVersions($id: ID!, $first: Int, $version: Int) { patient(id: $id) { id versions(first: $first, version: $version) { ${VERSION_FIELDS} } } }`,
    { id, first: options.first, version: options.version ?? null },
  );
  if (!data.patient) return null;
  return data.patient.versions.map(({ recordedAt, ...v }) => toFhirPatient({ ...v, id, updatedAt: recordedAt }));
}

/** `Patient/{id}/_history/{vid}`: that version as it was saved (404 for a version never kept). */
export async function vreadPatient(ctx: FhirContext, id: string, versionId: string): Promise<FhirResult> {
  const version = /^\d{1,9}$/.test(versionId) ? Number(versionId) : null;
  const versions = version === null ? [] : await loadVersions(ctx, id, { first: 1, version });
  if (versions === null) throw notFound('Patient', id);
  if (!versions.length) throw new FhirError(404, 'not-found', `Patient/${id} has no version ${versionId}.`);
  return versioned(ctx, versions[0]!);
}

/** `Patient/{id}/_history`: its versions, newest first, as a history Bundle (the latest 100). */
export async function patientHistory(ctx: FhirContext, id: string): Promise<FhirResult> {
  const versions = await loadVersions(ctx, id, { first: 100 });
  if (versions === null) throw notFound('Patient', id);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    link: [{ relation: 'self', url: `${ctx.base}/Patient/${id}/_history` }],
    entry: versions.map((resource) => ({
      fullUrl: `${ctx.base}/Patient/${id}`,
      resource,
      // the first version was a create, the later ones updates
      request: { method: resource.meta!.versionId === '1' ? 'POST' : 'PUT', url: resource.meta!.versionId === '1' ? 'Patient' : `Patient/${id}` },
      response: {
        status: resource.meta!.versionId === '1' ? '201 Created' : '200 OK',
        etag: `W/"${resource.meta!.versionId}"`,
        lastModified: resource.meta!.lastUpdated,
      },
    })),
  };
  return { body: bundle };
}

export async function createPatient(ctx: FhirContext, body: unknown): Promise<FhirResult> {
  clinicOf(ctx);
  const input = fromFhirPatient(body);
  const data = await gql<{ registerPatient: PatientNode }>(
    ctx,
    `mutation FhirCreatePatient($input: RegisterPatientInput!) { registerPatient(input: $input) { ${PATIENT_FIELDS} } }`,
    { input: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) },
    { badInputStatus: 422 },
  );
  const result = versioned(ctx, toFhirPatient(data.registerPatient), 201);
  return /return=minimal/i.test(ctx.prefer ?? '') ? { ...result, body: undefined } : result;
}

/** `W/"3"` or `"3"` → 3. */
export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(value);
  if (!m) throw badRequest('If-Match: give the version as an ETag, e.g. W/"3".');
  return Number(m[1]);
}

export async function updatePatient(ctx: FhirContext, id: string, body: unknown): Promise<FhirResult> {
  clinicOf(ctx);
  const expectedVersion = parseIfMatch(ctx.ifMatch);
  const fields = fromFhirPatient(body);
  const bodyId = (body as { id?: unknown }).id;
  if (bodyId === undefined) throw badRequest('Patient.id: an update must carry the id of the resource it replaces.', ['Patient.id']);
  if (bodyId !== id) throw badRequest(`Patient.id (${String(bodyId)}) does not match the URL (${id}).`, ['Patient.id']);
  if (!isId(id)) throw notFound('Patient', id);
  // PUT replaces the resource: what it leaves out is cleared (the MRN, which every patient has, stays).
  const data = await gql<{ updatePatient: PatientNode }>(
    ctx,
    `mutation FhirUpdatePatient($id: ID!, $input: UpdatePatientInput!, $expectedVersion: Int) {
      updatePatient(id: $id, input: $input, expectedVersion: $expectedVersion) { ${PATIENT_FIELDS} }
    }`,
    { id, input: fields, expectedVersion },
    { badInputStatus: 422, ifMatch: expectedVersion !== undefined },
  );
  const result = versioned(ctx, toFhirPatient(data.updatePatient));
  return /return=minimal/i.test(ctx.prefer ?? '') ? { ...result, body: undefined } : result;
}

const GENDERS = new Set(['male', 'female', 'other', 'unknown']);

/** The GraphQL arguments of a Patient search, or null when it cannot match anything. */
export function patientSearchArgs(search: SearchRequest): { search?: string; filter: Record<string, unknown> } | null {
  const filter: Record<string, unknown> = {};
  const names = search.params.get('name');
  const family = single(search, 'family');
  const given = single(search, 'given');
  if (family) filter.familyName = family;
  if (given) filter.givenName = given;
  const gender = single(search, 'gender');
  if (gender !== undefined) {
    if (!GENDERS.has(gender)) throw badRequest('gender: male, female, other or unknown.', ['gender']);
    filter.gender = gender.toUpperCase();
  }
  const phone = single(search, 'phone');
  if (phone) filter.phone = phone;
  const identifier = single(search, 'identifier');
  if (identifier) {
    const { system, code } = token(identifier);
    if (system && system !== MRN_SYSTEM && system !== NATIONAL_ID_SYSTEM) return null;
    filter.identifier = { ...(system ? { system } : {}), value: code };
  }
  const range = dateRange(search.params.get('birthdate'), 'birthdate');
  if (range) {
    const { from, to } = dateBounds(range);
    if (from !== undefined && to !== undefined && from > to) return null;
    if (from !== undefined && from === to) filter.birthDate = from;
    else {
      if (from !== undefined) filter.birthDateFrom = from;
      if (to !== undefined) filter.birthDateTo = to;
    }
  }
  return { ...(names ? { search: names.join(' ') } : {}), filter };
}

/** The most ids one `_id` search may name. */
export const MAX_IDS = 100;

export async function searchPatients(ctx: FhirContext, search: SearchRequest): Promise<FhirResult> {
  clinicOf(ctx);
  const ids = search.params.get('_id');
  if (ids) {
    if (search.params.size > 1) throw badRequest('_id: give it alone (other parameters with _id are not supported).', ['_id']);
    const wanted = [...new Set(ids.flatMap((v) => v.split(',')))].filter(isId);
    // each id is a lookup: a bounded number of them per request
    if (wanted.length > MAX_IDS) throw badRequest(`_id: at most ${MAX_IDS} ids in one search (got ${wanted.length}); page through them in several.`, ['_id']);
    const found: Patient[] = [];
    for (const id of wanted) {
      const data = await gql<{ patient: PatientNode | null }>(ctx, `query FhirPatient($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} } }`, { id });
      if (data.patient) found.push(toFhirPatient(data.patient));
    }
    return { body: searchset(ctx.base, 'Patient', search, { resources: found.slice(0, search.count), total: found.length }) };
  }
  const args = patientSearchArgs(search);
  if (!args) return { body: searchset(ctx.base, 'Patient', search, { resources: [], total: 0 }) };
  const after = decodeCursor(search.cursor, (v): v is string => typeof v === 'string');
  const data = await gql<{ patients: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: PatientNode }> } }>(
    ctx,
    `query FhirPatients($search: String, $filter: PatientFilter, $first: Int, $after: String) {
      patients(search: $search, filter: $filter, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { ${PATIENT_FIELDS} } }
      }
    }`,
    { search: args.search ?? null, filter: Object.keys(args.filter).length ? args.filter : null, first: Math.max(search.count, 1), after: after ?? null },
  );
  const { patients } = data;
  const resources = search.count === 0 ? [] : patients.edges.map((e) => toFhirPatient(e.node));
  const next = search.count > 0 && patients.pageInfo.hasNextPage && patients.pageInfo.endCursor ? encodeCursor(patients.pageInfo.endCursor) : undefined;
  return { body: searchset(ctx.base, 'Patient', search, { resources, total: patients.totalCount, next }) };
}
