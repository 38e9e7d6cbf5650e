import type { Bundle, CapabilityStatement, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { startPlatform, type Platform } from './platform.js';
import { assertValidFhir, fhirCall, resourcesOf, type FhirResponse } from './fhir-validate.js';

let platform: Platform;
let office: string;
let doctor: string;

beforeAll(async () => {
  platform = await startPlatform();
  office = (await platform.login('office@demo.clinicult.test')).token;
  doctor = (await platform.login('doctor@demo.clinicult.test')).token;
});
afterAll(async () => {
  await platform?.stop();
});

const fhir = <T = any>(path: string, options: Parameters<typeof fhirCall>[2] = {}) => fhirCall<T>(platform.gatewayUrl, path, options);

function expectOutcome(response: FhirResponse, status: number, code?: string): OperationOutcome {
  expect({ status: response.status, type: response.body?.resourceType }).toEqual({ status, type: 'OperationOutcome' });
  expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
  assertValidFhir(response.body);
  if (code) expect(response.body.issue[0].code).toBe(code);
  return response.body;
}

async function gqlData(token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await platform.query(query, variables, token);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
}

const newPatient = (overrides: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:clinicult:national-id', value: `X${Math.floor(Math.random() * 1e9)}` }],
  name: [{ use: 'official', family: 'Fhirsson', given: ['Ada'] }],
  gender: 'female',
  birthDate: '1985-04-12',
  telecom: [
    { system: 'phone', value: '+34 600 111 222' },
    { system: 'email', value: 'ada.fhirsson@example.org' },
  ],
  address: [{ line: ['Calle Mayor 1', '2º B'], city: 'Madrid', postalCode: '28013', state: 'Madrid', country: 'ES' }],
  contact: [{ relationship: [{ text: 'sister' }], name: { text: 'Eva Fhirsson' }, telecom: [{ system: 'phone', value: '+34 600 333 444' }] }],
  ...overrides,
});

describe('metadata', () => {
  test('the CapabilityStatement is valid R4 and lists exactly what is implemented', async () => {
    const response = await fhir<CapabilityStatement>('metadata');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    assertValidFhir(response.body);
    expect(response.body.fhirVersion).toBe('4.0.1');
    const resources = response.body.rest![0]!.resource!;
    expect(resources.map((r) => r.type)).toEqual([
      'Patient', 'Encounter', 'Observation', 'Condition', 'MedicationRequest', 'AllergyIntolerance', 'MedicationStatement', 'Practitioner', 'Organization',
    ]);
    const patient = resources.find((r) => r.type === 'Patient')!;
    expect(patient.interaction!.map((i) => i.code)).toEqual(['read', 'vread', 'history-instance', 'search-type', 'create', 'update']);
    expect([patient.versioning, patient.readHistory, patient.conditionalCreate]).toEqual(['versioned', true, true]);
    expect(patient.searchRevInclude).toContain('Encounter:patient');
    expect(resources.find((r) => r.type === 'Encounter')!.searchInclude).toContain('Encounter:patient');
    expect(patient.searchParam!.map((p) => p.name)).toEqual(['_id', 'identifier', 'name', 'family', 'given', 'birthdate', 'gender', 'phone']);
    expect(patient.operation).toEqual([expect.objectContaining({ name: 'everything' })]);
    const observation = resources.find((r) => r.type === 'Observation')!;
    expect(observation.interaction!.map((i) => i.code)).toEqual(['read', 'search-type']);
    expect(observation.searchParam!.map((p) => p.name)).toEqual(['patient', 'subject', 'encounter', 'category', 'code', 'date']);
  });
});

describe('Patient', () => {
  test('create by FHIR, found by GraphQL; read back with ETag and meta; update with If-Match', async () => {
    const created = await fhir<Patient>('Patient', { token: office, body: newPatient() });
    expect(created.status).toBe(201);
    assertValidFhir(created.body);
    const id = created.body.id!;
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.headers.get('location')).toMatch(new RegExp(`/fhir/Patient/${id}/_history/1$`));
    expect(created.body.meta).toEqual({ versionId: '1', lastUpdated: expect.any(String) });
    const nationalId = created.body.identifier!.find((i) => i.system === 'urn:clinicult:national-id')!.value;

    // the same person through GraphQL, found by the identifier the FHIR client sent
    const found = await gqlData(
      office,
      `query($v: String!) { patients(filter: { identifier: { system: "urn:clinicult:national-id", value: $v } }) {
        totalCount edges { node { id mrn givenName familyName birthDate gender phone email address { line1 line2 city postalCode region country } emergencyContact { name relationship phone } version } }
      } }`,
      { v: nationalId },
    );
    expect(found.patients.totalCount).toBe(1);
    const node = found.patients.edges[0].node;
    expect(node).toEqual({
      id,
      mrn: expect.stringMatching(/^MRN-/),
      givenName: 'Ada',
      familyName: 'Fhirsson',
      birthDate: '1985-04-12',
      gender: 'FEMALE',
      phone: '+34 600 111 222',
      email: 'ada.fhirsson@example.org',
      address: { line1: 'Calle Mayor 1', line2: '2º B', city: 'Madrid', postalCode: '28013', region: 'Madrid', country: 'ES' },
      emergencyContact: { name: 'Eva Fhirsson', relationship: 'sister', phone: '+34 600 333 444' },
      version: 1,
    });
    // the MRN the patients service generated is the FHIR identifier too
    expect(created.body.identifier).toContainEqual(expect.objectContaining({ system: 'urn:clinicult:mrn', value: node.mrn }));

    const read = await fhir<Patient>(`Patient/${id}`, { token: doctor });
    expect(read.status).toBe(200);
    assertValidFhir(read.body);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.headers.get('last-modified')).toBe(new Date(read.body.meta!.lastUpdated!).toUTCString());
    expect((await fhir(`Patient/${id}/_history/1`, { token: doctor })).body).toEqual(created.body);

    // update: a PUT replaces the demographics (the email left out is cleared)
    const changed = { ...read.body, telecom: [{ system: 'phone' as const, value: '+34 699 000 111' }] };
    const updated = await fhir<Patient>(`Patient/${id}`, { token: office, method: 'PUT', body: changed, headers: { 'if-match': 'W/"1"' } });
    expect(updated.status).toBe(200);
    assertValidFhir(updated.body);
    expect(updated.body.meta!.versionId).toBe('2');
    expect(updated.headers.get('etag')).toBe('W/"2"');
    expect(updated.body.telecom).toEqual([{ system: 'phone', value: '+34 699 000 111' }]);
    const after = await gqlData(office, `query($id: ID!) { patient(id: $id) { phone email version } }`, { id });
    expect(after.patient).toEqual({ phone: '+34 699 000 111', email: null, version: 2 });

    // a stale If-Match: 412, nothing changes
    const stale = await fhir(`Patient/${id}`, { token: office, method: 'PUT', body: { ...changed, birthDate: '1990-01-01' }, headers: { 'if-match': 'W/"1"' } });
    expectOutcome(stale, 412, 'conflict');
    expect(stale.headers.get('etag')).toBe('W/"2"');
    expect((await gqlData(office, `query($id: ID!) { patient(id: $id) { birthDate version } }`, { id })).patient).toEqual({ birthDate: '1985-04-12', version: 2 });
    // each version is kept: vread answers the old one as it was, _history lists both, newest first
    const first = await fhir<Patient>(`Patient/${id}/_history/1`, { token: doctor });
    expect([first.status, first.headers.get('etag')]).toEqual([200, 'W/"1"']);
    assertValidFhir(first.body);
    expect(first.body).toEqual(created.body);
    expect((await fhir<Patient>(`Patient/${id}/_history/2`, { token: doctor })).body).toEqual(updated.body);
    expectOutcome(await fhir(`Patient/${id}/_history/3`, { token: doctor }), 404, 'not-found');
    const history = await fhir<Bundle>(`Patient/${id}/_history`, { token: doctor });
    expect(history.status).toBe(200);
    assertValidFhir(history.body);
    expect([history.body.type, history.body.total]).toEqual(['history', 2]);
    expect(history.body.entry!.map((e) => [e.resource!.meta!.versionId, e.request!.method, e.response!.status])).toEqual([
      ['2', 'PUT', '200 OK'],
      ['1', 'POST', '201 Created'],
    ]);
    expect((history.body.entry![1]!.resource as Patient).telecom).toEqual(created.body.telecom);
    // another clinic's patient, or an unknown one, has no history here
    expectOutcome(await fhir(`Patient/${'0'.repeat(8)}-0000-0000-0000-000000000000/_history`, { token: doctor }), 404);
  });

  test('invalid bodies: 400 for a wrong, mismatched or non-R4 resource, 422 for what the model cannot hold, 415, bad JSON', async () => {
    expectOutcome(await fhir('Patient', { token: office, body: { resourceType: 'Observation' } }), 400, 'invalid');
    expectOutcome(await fhir('Patient', { token: office, body: newPatient({ birthDate: undefined }) }), 422, 'processing');
    expectOutcome(await fhir('Patient', { token: office, body: newPatient({ name: [{ given: ['Solo'] }] }) }), 422);
    expectOutcome(await fhir('Patient', { token: office, body: newPatient({ identifier: [{ system: 'http://other.example/ids', value: '1' }] }) }), 422);
    expectOutcome(await fhir('Patient', { token: office, body: { ...newPatient(), deceasedBoolean: false } }), 422);
    expectOutcome(await fhir('Patient', { token: office, body: newPatient({ birthDate: '2999-01-01' }) }), 422); // refused by the patients service: BAD_USER_INPUT
    expectOutcome(await fhir('Patient', { token: office, body: '{"resourceType": "Patient", ', headers: { 'content-type': 'application/fhir+json' } }), 400, 'structure');
    // not R4 at all: checked against the definitions at run time, each problem named where it is
    const notR4 = expectOutcome(await fhir('Patient', { token: office, body: { ...newPatient(), birthDate: '1985-13-45', colour: 'blue', name: 'Ada' } }), 400, 'structure');
    expect(notR4.issue[0]!.expression).toEqual(expect.arrayContaining(['Patient.birthDate', 'Patient.colour']));
    expectOutcome(await fhir('Patient', { token: office, body: { ...newPatient(), telecom: [{ system: 'pager', value: 12 }] } }), 400, 'structure');
    expectOutcome(await fhir('Patient', { token: office, body: '<Patient xmlns="http://hl7.org/fhir"/>', headers: { 'content-type': 'application/fhir+xml' } }), 415);
    const created = await fhir<Patient>('Patient', { token: office, body: newPatient({ name: [{ family: 'Mismatch', given: ['Mo'] }] }) });
    expect(created.status).toBe(201);
    expectOutcome(await fhir(`Patient/${created.body.id}`, { token: office, method: 'PUT', body: { ...created.body, id: 'another' } }), 400);
    expectOutcome(await fhir(`Patient/${created.body.id}`, { token: office, method: 'PUT', body: { ...created.body, id: undefined } }), 400);
    expectOutcome(await fhir(`Patient/${created.body.id}`, { token: office, method: 'PUT', body: created.body, headers: { 'if-match': 'three' } }), 400);
    // no patient was registered by any refused request
    const count = await gqlData(office, `{ patients(filter: { familyName: "Fhirsson" }) { totalCount } }`);
    expect(count.patients.totalCount).toBe(1);
  });

  test('search: each parameter maps to the GraphQL filter, and the answer is a valid searchset', async () => {
    const given = ['Bea', 'Berta', 'Carla'];
    const ids: Record<string, string> = {};
    for (const [i, g] of given.entries()) {
      const r = await fhir<Patient>('Patient', {
        token: office,
        body: newPatient({ name: [{ family: 'Buscador', given: [g] }], birthDate: `197${i}-06-1${i}`, gender: i === 2 ? 'male' : 'female', telecom: [{ system: 'phone', value: `+34 611 00 00 0${i}` }] }),
      });
      expect(r.status).toBe(201);
      ids[g] = r.body.id!;
    }
    const search = async (query: string) => {
      const r = await fhir<Bundle>(`Patient?${query}`, { token: doctor });
      expect(r.status).toBe(200);
      assertValidFhir(r.body);
      expect(r.body.type).toBe('searchset');
      return { total: r.body.total, ids: resourcesOf<Patient>(r.body).map((p) => p.id).sort(), bundle: r.body };
    };
    expect(await search('family=buscador')).toMatchObject({ total: 3 });
    expect((await search('family=Buscador&given=be')).ids).toEqual([ids.Bea, ids.Berta].sort());
    expect((await search('name=buscador%20carla')).ids).toEqual([ids.Carla]);
    expect((await search('family=Buscador&gender=male')).ids).toEqual([ids.Carla]);
    expect((await search('family=Buscador&birthdate=1971')).ids).toEqual([ids.Berta]);
    expect((await search('family=Buscador&birthdate=ge1971-01-01')).ids).toEqual([ids.Berta, ids.Carla].sort());
    expect((await search('family=Buscador&birthdate=lt1971-06-11')).ids).toEqual([ids.Bea]);
    expect((await search('family=Buscador&birthdate=gt1970-06-10&birthdate=le1971-06-11')).ids).toEqual([ids.Berta]);
    expect((await search('phone=611000002')).ids).toEqual([ids.Carla]);
    expect((await search(`_id=${ids.Bea},${ids.Carla}`)).ids).toEqual([ids.Bea, ids.Carla].sort());
    const mrn = (await fhir<Patient>(`Patient/${ids.Bea}`, { token: doctor })).body.identifier![0]!.value!;
    expect((await search(`identifier=urn:clinicult:mrn|${mrn}`)).ids).toEqual([ids.Bea]);
    expect((await search(`identifier=${mrn}`)).ids).toEqual([ids.Bea]);
    expect((await search(`identifier=http://other.example|${mrn}`)).total).toBe(0);
    const self = (await search('family=Buscador')).bundle.link!.find((l) => l.relation === 'self')!.url;
    expect(self).toMatch(/\/fhir\/Patient\?family=Buscador&_count=20$/);

    // unknown parameters: 400, or ignored and reported under Prefer: handling=lenient
    expectOutcome(await fhir('Patient?family=Buscador&eye-color=blue', { token: doctor }), 400, 'invalid');
    expectOutcome(await fhir('Patient?family:exact=Buscador', { token: doctor }), 400);
    expectOutcome(await fhir('Patient?_sort=birthdate', { token: doctor }), 400);
    expectOutcome(await fhir('Patient?birthdate=sa2000', { token: doctor }), 400);
    expectOutcome(await fhir('Patient?gender=robot', { token: doctor }), 400);
    expectOutcome(await fhir('Patient?_count=many', { token: doctor }), 400);
    const lenient = await fhir<Bundle>('Patient?family=Buscador&eye-color=blue', { token: doctor, headers: { prefer: 'handling=lenient' } });
    expect(lenient.status).toBe(200);
    assertValidFhir(lenient.body);
    expect(lenient.body.total).toBe(3);
    const outcome = lenient.body.entry!.find((e) => e.search?.mode === 'outcome')!.resource as OperationOutcome;
    expect(outcome.issue[0]!.details!.text).toContain('eye-color');
    expect(lenient.body.link!.find((l) => l.relation === 'self')!.url).not.toContain('eye-color');
  });

  test('_count: default 20, at most 100', async () => {
    const all = await fhir<Bundle>('Patient', { token: doctor });
    expect(all.body.entry).toHaveLength(20);
    expect(all.body.total).toBeGreaterThan(20);
    const capped = await fhir<Bundle>('Patient?_count=500', { token: doctor });
    expect(capped.body.entry!.length).toBe(Math.min(100, capped.body.total!));
    expect(capped.body.link!.find((l) => l.relation === 'self')!.url).toContain('_count=100');
    const none = await fhir<Bundle>('Patient?_count=0', { token: doctor });
    expect(none.body.entry ?? []).toHaveLength(0);
    expect(none.body.total).toBe(all.body.total);
  });

  test('paging through a search of 250 patients returns each exactly once', async () => {
    const registered: string[] = [];
    const mutation = `mutation($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }`;
    for (let batch = 0; batch < 250; batch += 10) {
      const ids = await Promise.all(
        Array.from({ length: 10 }, (_, k) => batch + k).map(async (n) =>
          (await gqlData(office, mutation, {
            // equal names and birth dates for some, so the order's tie-break (the id) is exercised
            i: { givenName: `Pager${n % 7}`, familyName: 'Paginacion', birthDate: `1990-01-${String((n % 28) + 1).padStart(2, '0')}`, allowPossibleDuplicate: true },
          })).registerPatient.id as string,
        ),
      );
      registered.push(...ids);
    }
    expect(new Set(registered).size).toBe(250);

    const seen: string[] = [];
    let url: string | undefined = 'Patient?family=Paginacion&_count=37';
    let pages = 0;
    while (url) {
      const page: FhirResponse<Bundle> = await fhir<Bundle>(url, { token: doctor });
      expect(page.status).toBe(200);
      assertValidFhir(page.body);
      expect(page.body.total).toBeGreaterThanOrEqual(250);
      seen.push(...resourcesOf<Patient>(page.body).map((p) => p.id!));
      pages += 1;
      if (pages === 2) {
        // a patient registered mid-way (sorting first) neither repeats nor hides any of the others
        await gqlData(office, mutation, { i: { givenName: 'Aaron', familyName: 'Paginacion', birthDate: '1990-01-01', allowPossibleDuplicate: true } });
      }
      url = page.body.link!.find((l) => l.relation === 'next')?.url;
      expect(pages).toBeLessThan(20);
    }
    const original = seen.filter((id) => registered.includes(id));
    expect(original).toHaveLength(250);
    expect(new Set(original).size).toBe(250);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(7);
  });
});

describe('conditional create (If-None-Exist)', () => {
  test('on an identifier: the existing Patient instead of a 409, nothing created; none found creates; several are 412', async () => {
    const first = newPatient({ name: [{ use: 'official', family: 'Condicional', given: ['Ana'] }] });
    const nationalId = first.identifier![0]!.value!;
    const condition = { 'if-none-exist': `identifier=urn:clinicult:national-id|${nationalId}` };
    const created = await fhir<Patient>('Patient', { token: office, body: first, headers: condition });
    expect(created.status).toBe(201);
    // the same request again (a retry, another system sending the same person): 200 and the same Patient
    const again = await fhir<Patient>('Patient', { token: office, body: first, headers: condition });
    expect(again.status).toBe(200);
    assertValidFhir(again.body);
    expect(again.body.id).toBe(created.body.id);
    expect(again.headers.get('location')).toMatch(new RegExp(`/fhir/Patient/${created.body.id}/_history/1$`));
    const count = await gqlData(office, 'query($v: String!) { patients(filter: { identifier: { system: "urn:clinicult:national-id", value: $v } }) { totalCount } }', { v: nationalId });
    expect(count.patients.totalCount).toBe(1);
    // without the condition the same body is a possible duplicate: 409, as before
    expectOutcome(await fhir('Patient', { token: office, body: first }), 409);

    // a condition matching several patients: 412, nothing created
    const before = await gqlData(office, '{ patients(filter: { familyName: "Condicional" }) { totalCount } }');
    await fhir('Patient', { token: office, body: newPatient({ name: [{ use: 'official', family: 'Condicional', given: ['Berta'] }] }) });
    expectOutcome(await fhir('Patient', { token: office, body: newPatient({ name: [{ use: 'official', family: 'Condicional', given: ['Carla'] }] }), headers: { 'if-none-exist': 'family=Condicional' } }), 412);
    const after = await gqlData(office, '{ patients(filter: { familyName: "Condicional" }) { totalCount } }');
    expect(after.patients.totalCount).toBe(before.patients.totalCount + 1);
    // a condition that is no search: 400
    expectOutcome(await fhir('Patient', { token: office, body: newPatient(), headers: { 'if-none-exist': '_count=1' } }), 400);
  });
});

describe('content negotiation and protocol errors', () => {
  test('JSON in its FHIR and plain flavours; XML is 406', async () => {
    const plain = await fhir('metadata', { headers: { accept: 'application/json' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const format = await fhir('metadata?_format=json', { headers: { accept: 'application/fhir+xml' } });
    expect(format.status).toBe(200);
    expect(format.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expectOutcome(await fhir('metadata', { headers: { accept: 'application/fhir+xml' } }), 406, 'not-supported');
    expectOutcome(await fhir('Patient?_format=xml', { token: doctor }), 406);
    expectOutcome(await fhir('Patient', { token: doctor, headers: { accept: 'text/html' } }), 406);
    const any = await fhir<Bundle>('Patient?_count=1', { token: doctor, headers: { accept: '*/*' } });
    expect(any.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
  });

  test('401 with WWW-Authenticate, 404, 405 with Allow, 501', async () => {
    const anonymous = await fhir('Patient');
    expectOutcome(anonymous, 401, 'login');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const forged = await fhir('Patient', { token: `${doctor.slice(0, -4)}AAAA` });
    expectOutcome(forged, 401);
    expect(forged.headers.get('www-authenticate')).toContain('TOKEN_INVALID');
    expectOutcome(await fhir('Patient/no-such-patient', { token: doctor }), 404, 'not-found');
    expectOutcome(await fhir('Patient/bad id!', { token: doctor }), 404);
    expectOutcome(await fhir('Specimen', { token: doctor }), 404, 'not-supported');
    const del = await fhir('Patient/anything', { token: doctor, method: 'DELETE' });
    expectOutcome(del, 405, 'not-supported');
    expect(del.headers.get('allow')).toBe('GET, PUT');
    expectOutcome(await fhir('Patient/anything', { token: doctor, method: 'PATCH', body: [] }), 405);
    expectOutcome(await fhir('Encounter', { token: doctor, body: { resourceType: 'Encounter' } }), 405);
    expectOutcome(await fhir('Encounter/anything/_history', { token: doctor }), 501);
    expectOutcome(await fhir('', { token: doctor, body: { resourceType: 'Bundle', type: 'transaction' } }), 501);
  });
});
