// SMART Backend Services (issue 18): another health system's program reads the clinic's FHIR data on
// a credential of its own. A clinic ADMIN registers it with its public key and scopes; it signs a
// client assertion with its private key (jose), trades it for a token at the token endpoint
// (client_credentials, private_key_jwt), and reads and searches with fhir-kit-client — only what its
// scopes allow, only its clinic's data, audited under its own name, refused at once once revoked.
import { randomUUID } from 'node:crypto';
import { Client } from 'fhir-kit-client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { Bundle, CapabilityStatement, Observation, Patient } from '@medplum/fhirtypes';
import { codes, eventually, fieldPaths } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';
import { assertValidFhir, fhirCall, resourcesOf } from './fhir-validate.js';

let platform: Platform;
let admin: string;
let medicalAdmin: { token: string; userId: string };
let office: string;
let patientId: string;
let tokenUrl: string;
let fhirBase: string;

const REGISTER = 'mutation($i: RegisterApiClientInput!) { registerApiClient(input: $i) { id name scopes keyIds revokedAt createdBy { id } } }';
const LIST = '{ apiClients { id name scopes revokedAt } }';

async function call(token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await platform.query(query, variables, token);
  if (response.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  jwks: string;
}

async function keyPair(alg: 'ES384' | 'RS384' = 'ES384'): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${randomUUID().slice(0, 8)}`;
  return { kid, privateKey, jwks: JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] }) };
}

/** A client assertion as SMART Backend Services asks for it (iss = sub = client_id, aud = the token endpoint, exp ≤ 5 min). */
function assertion(clientId: string, key: KeyPair, overrides: { aud?: string; expiresIn?: string; alg?: string } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: overrides.alg ?? 'ES384', kid: key.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(overrides.aud ?? tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? '4m')
    .sign(key.privateKey);
}

async function requestToken(form: Record<string, string>) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, any> };
}

const tokenForm = (clientAssertion: string, scope?: string) => ({
  grant_type: 'client_credentials',
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_assertion: clientAssertion,
  ...(scope ? { scope } : {}),
});

/** A fhir-kit-client on the clinic's FHIR base with this access token; a refusal's status and OperationOutcome come back as values. */
function fhirClient(accessToken: string) {
  const client = new Client({ baseUrl: fhirBase, customHeaders: { accept: 'application/fhir+json' } });
  client.bearerToken = accessToken;
  return client;
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string | undefined }> {
  try {
    await promise;
  } catch (error: any) {
    const outcome = error.response?.data;
    assertValidFhir(outcome);
    return { status: error.response?.status, code: outcome?.issue?.[0]?.code };
  }
  throw new Error('expected the FHIR request to be refused');
}

beforeAll(async () => {
  platform = await startPlatform();
  fhirBase = `${platform.gatewayUrl.replace(/\/graphql$/, '')}/fhir`;
  admin = (await platform.login(platform.demo.admin.email)).token;
  office = (await platform.login('office@demo.clinicult.test')).token;
  const nurse = (await platform.login('nurse@demo.clinicult.test')).token;
  // a doctor who is also the clinic's ADMIN: someone who may hand out medical scopes
  const doctor = await platform.login('doctor@demo.clinicult.test');
  await call(admin, 'mutation($u: ID!) { setMembership(userId: $u, roles: [DOCTOR, ADMIN]) { id } }', { u: doctor.userId });
  medicalAdmin = await platform.login('doctor@demo.clinicult.test');

  patientId = (await call(office, 'mutation { registerPatient(input: { givenName: "Integra", familyName: "Laboratorio", birthDate: "1971-04-04", gender: FEMALE }) { id } }')).registerPatient.id;
  const visitId = (await call(office, 'mutation($p: ID!) { checkIn(patientId: $p, reason: "Analítica") { id } }', { p: patientId })).checkIn.id;
  await call(nurse, 'mutation($v: ID!) { startTriage(visitId: $v) { state } }', { v: visitId });
  await call(nurse, 'mutation($v: ID!) { recordVitals(visitId: $v, vitals: { heartRate: 66, temperatureC: 36.8 }) { state } }', { v: visitId });

  const configuration = (await (await fetch(`${fhirBase}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
  tokenUrl = configuration.token_endpoint;
});
afterAll(async () => {
  await platform?.stop();
});

test('discovery: /.well-known/smart-configuration and the CapabilityStatement say where tokens come from and how', async () => {
  const response = await fetch(`${fhirBase}/.well-known/smart-configuration`);
  expect(response.status).toBe(200);
  const configuration = (await response.json()) as Record<string, unknown>;
  expect(configuration).toMatchObject({
    token_endpoint: `${platform.gatewayUrl.replace(/\/graphql$/, '')}/oauth/token`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    grant_types_supported: ['client_credentials'],
    capabilities: expect.arrayContaining(['client-confidential-asymmetric']),
  });
  expect(configuration.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS384', 'ES384']));
  expect(configuration.scopes_supported).toEqual(expect.arrayContaining(['system/Patient.crus', 'system/Observation.rs', 'system/*.rs']));

  const metadata = await fhirCall<CapabilityStatement>(platform.gatewayUrl, '/metadata');
  assertValidFhir(metadata.body);
  const security = metadata.body.rest![0]!.security!;
  expect(security.service!.map((s) => s.coding![0]!.code)).toContain('SMART-on-FHIR');
  const uris = security.extension!.find((e) => e.url.endsWith('/oauth-uris'))!;
  expect(uris.extension).toEqual([{ url: 'token', valueUri: tokenUrl }]);
});

describe('registering a client', () => {
  test('an ADMIN without medical:read registers demographics scopes, but cannot hand out medical ones: nothing is stored', async () => {
    const key = await keyPair();
    const before = (await call(admin, LIST)).apiClients.length;
    const refused = await platform.query(REGISTER, { i: { name: 'Sneaky lab', jwks: key.jwks, scopes: ['system/Patient.rs', 'system/Observation.rs'] } }, admin);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    // nor through the wildcard
    expect(codes(await platform.query(REGISTER, { i: { name: 'Sneaky lab', jwks: key.jwks, scopes: ['system/*.rs'] } }, admin))).toEqual(['FORBIDDEN']);
    expect((await call(admin, LIST)).apiClients).toHaveLength(before);

    const { registerApiClient } = await call(admin, REGISTER, { i: { name: 'Registro regional', jwks: key.jwks, scopes: ['system/Patient.read'] } });
    // v1 scopes are kept in v2 form
    expect(registerApiClient).toMatchObject({ name: 'Registro regional', scopes: ['system/Patient.rs'], keyIds: [key.kid], revokedAt: null });
  });

  test('staff without integration:write cannot register one, and bad keys or scopes are BAD_USER_INPUT on their field', async () => {
    const key = await keyPair();
    expect(codes(await platform.query(REGISTER, { i: { name: 'X', jwks: key.jwks, scopes: ['system/Patient.rs'] } }, office))).toEqual(['FORBIDDEN']);

    const { privateKey } = await generateKeyPair('ES384', { extractable: true });
    const withPrivatePart = JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ jwks: withPrivatePart }, 'input.jwks'],
      [{ jwks: 'not json' }, 'input.jwks'],
      [{ jwks: JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' }] }) }, 'input.jwks'],
      [{ scopes: ['patient/Patient.rs'] }, 'input.scopes[0]'],
      [{ scopes: ['system/Patient.rs', 'system/Observation.cud'] }, 'input.scopes[1]'],
      [{ scopes: ['system/Banana.rs'] }, 'input.scopes[0]'],
      [{ name: '   ' }, 'input.name'],
    ];
    for (const [change, path] of cases) {
      const response = await platform.query(REGISTER, { i: { name: 'Lab', jwks: key.jwks, scopes: ['system/Patient.rs'], ...change } }, admin);
      expect([change, codes(response), fieldPaths(response.errors?.[0])]).toEqual([change, ['BAD_USER_INPUT'], [path]]);
    }
  });
});

describe('a client with Patient, Encounter and Observation scopes', () => {
  let client: { id: string };
  let key: KeyPair;

  beforeAll(async () => {
    key = await keyPair();
    client = (await call(medicalAdmin.token, REGISTER, {
      i: { name: 'Laboratorio Central', jwks: key.jwks, scopes: ['system/Patient.rs', 'system/Encounter.rs', 'system/Observation.rs'] },
    })).registerApiClient;
  });

  test('gets a five-minute token for a signed assertion, and reads and searches what its scopes allow', async () => {
    const { status, cacheControl, body } = await requestToken(tokenForm(await assertion(client.id, key)));
    expect([status, cacheControl]).toEqual([200, 'no-store']);
    expect(body).toMatchObject({ token_type: 'bearer', scope: 'system/Patient.rs system/Encounter.rs system/Observation.rs' });
    expect(body.expires_in).toBeGreaterThan(240);
    expect(body.expires_in).toBeLessThanOrEqual(300);

    const fhir = fhirClient(body.access_token);
    const patient = (await fhir.read({ resourceType: 'Patient', id: patientId })) as Patient;
    assertValidFhir(patient);
    expect(patient.name![0]).toMatchObject({ family: 'Laboratorio', given: ['Integra'] });
    const found = (await fhir.search({ resourceType: 'Patient', searchParams: { family: 'Laboratorio' } })) as unknown as Bundle;
    assertValidFhir(found);
    expect(resourcesOf<Patient>(found).map((p) => p.id)).toEqual([patientId]);
    const vitals = (await fhir.search({ resourceType: 'Observation', searchParams: { patient: patientId, category: 'vital-signs' } })) as unknown as Bundle;
    assertValidFhir(vitals);
    expect(resourcesOf<Observation>(vitals).map((o) => o.valueQuantity?.value).sort()).toEqual([36.8, 66]);
    const encounters = (await fhir.search({ resourceType: 'Encounter', searchParams: { patient: patientId } })) as unknown as Bundle;
    expect(resourcesOf(encounters)).toHaveLength(1);

    // what it was not granted: 403 before anything is read
    for (const resourceType of ['Condition', 'MedicationRequest', 'Practitioner', 'Organization']) {
      expect([resourceType, await refusal(fhir.search({ resourceType, searchParams: { _count: '1' } }))]).toEqual([resourceType, { status: 403, code: 'forbidden' }]);
    }
    // nor a write it has no c/u for
    expect(await refusal(fhir.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Nueva', given: ['Ana'] }], birthDate: '1990-01-01' } }))).toEqual({ status: 403, code: 'forbidden' });
    // nor GraphQL outside what its scopes' permissions allow (reading the patient is what Patient.rs is)
    expect(codes(await platform.query('{ users(first: 1) { totalCount } }', {}, body.access_token))).toEqual(['FORBIDDEN']);
    expect(codes(await platform.query('{ auditLog(first: 1) { totalCount } }', {}, body.access_token))).toEqual(['FORBIDDEN']);
    expect(codes(await platform.query('mutation { registerPatient(input: { givenName: "A", familyName: "B", birthDate: "2000-01-01" }) { id } }', {}, body.access_token))).toEqual(['FORBIDDEN']);
  });

  test('its reads are in the clinic\'s audit trail under its own name', async () => {
    const { body } = await requestToken(tokenForm(await assertion(client.id, key)));
    await fhirClient(body.access_token).search({ resourceType: 'Observation', searchParams: { patient: patientId } });
    const log = await eventually(
      () => call(admin, 'query($p: ID) { auditLog(patientId: $p, first: 50) { edges { node { action actorId actorKind api } } } }', { p: patientId }),
      (data) => data.auditLog.edges.some((e: any) => e.node.actorKind === 'CLIENT'),
    );
    expect(log.auditLog.edges.map((e: any) => e.node)).toContainEqual({ action: 'patient.read.medical', actorId: `client:${client.id}`, actorKind: 'CLIENT', api: 'FHIR' });
  });

  test('a narrower scope asked for is all the token carries; one never granted is invalid_scope', async () => {
    const narrow = await requestToken(tokenForm(await assertion(client.id, key), 'system/Patient.rs'));
    expect([narrow.status, narrow.body.scope]).toEqual([200, 'system/Patient.rs']);
    expect(await refusal(fhirClient(narrow.body.access_token).search({ resourceType: 'Observation', searchParams: { patient: patientId } }))).toEqual({ status: 403, code: 'forbidden' });
    // asking for more than granted gives what was granted of it: read of Observation, no search of MedicationRequest
    const wider = await requestToken(tokenForm(await assertion(client.id, key), 'system/Observation.r system/MedicationRequest.rs'));
    expect([wider.status, wider.body.scope]).toEqual([200, 'system/Observation.r']);
    const none = await requestToken(tokenForm(await assertion(client.id, key), 'system/Condition.rs'));
    expect([none.status, none.body.error]).toEqual([400, 'invalid_scope']);
  });

  test('an assertion that is replayed, for another audience, too long-lived, signed by another key or for another client is invalid_client', async () => {
    const once = await assertion(client.id, key);
    expect((await requestToken(tokenForm(once))).status).toBe(200);
    const stranger = await keyPair();
    const attempts: Record<string, Record<string, string>> = {
      replayed: tokenForm(once),
      'another audience': tokenForm(await assertion(client.id, key, { aud: 'https://elsewhere.example/oauth/token' })),
      'lives an hour': tokenForm(await assertion(client.id, key, { expiresIn: '1h' })),
      'expired': tokenForm(await assertion(client.id, key, { expiresIn: '-1m' })),
      'another key': tokenForm(await assertion(client.id, stranger)),
      'unknown client': tokenForm(await assertion(randomUUID(), key)),
      'client_id differs': { ...tokenForm(await assertion(client.id, key)), client_id: randomUUID() },
    };
    for (const [what, form] of Object.entries(attempts)) {
      const { status, body } = await requestToken(form);
      expect([what, status, body.error, body.access_token]).toEqual([what, 401, 'invalid_client', undefined]);
    }
    // and a request that is not client_credentials with an assertion
    expect((await requestToken({ ...tokenForm(await assertion(client.id, key)), grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    expect((await requestToken({ grant_type: 'client_credentials' })).body.error).toBe('invalid_request');
  });

  test('revoking the client refuses its token at once and gives it no new one', async () => {
    const { body } = await requestToken(tokenForm(await assertion(client.id, key)));
    const fhir = fhirClient(body.access_token);
    await fhir.read({ resourceType: 'Patient', id: patientId });
    const { revokeApiClient } = await call(admin, 'mutation($id: ID!) { revokeApiClient(id: $id) { id revokedAt } }', { id: client.id });
    expect(revokeApiClient.revokedAt).not.toBeNull();
    expect(await refusal(fhir.read({ resourceType: 'Patient', id: patientId }))).toEqual({ status: 401, code: 'login' });
    const again = await requestToken(tokenForm(await assertion(client.id, key)));
    expect([again.status, again.body.error]).toEqual([401, 'invalid_client']);
    const listed = (await call(admin, LIST)).apiClients.find((c: { id: string }) => c.id === client.id);
    expect(listed.revokedAt).toBe(revokeApiClient.revokedAt);
  });
});

test('a client reads its own clinic only: another clinic\'s patient is not found, by read, search or include', async () => {
  const operator = (await platform.login(platform.demo.operator.email)).token;
  const clinicB = (await call(operator, 'mutation { createClinic(input: { name: "Clínica Ajena", cluster: "eu-1", timeZone: "UTC" }) { id } }')).createClinic.id;
  await call(operator, 'mutation($c: ID!) { provisionClinicAdmin(clinicId: $c, input: { email: "admin@ajena.clinicult.test", firstName: "Ana", lastName: "Ajena" }) { id } }', { c: clinicB });
  const adminB = (await platform.joinFromMail('admin@ajena.clinicult.test')).token;
  await call(adminB, 'mutation { createUser(input: { email: "office@ajena.clinicult.test", firstName: "Olga", lastName: "Ajena", roles: [OFFICE] }) { invitation { id } } }');
  const officeB = (await platform.joinFromMail('office@ajena.clinicult.test')).token;
  const foreign = (await call(officeB, 'mutation { registerPatient(input: { givenName: "Forastera", familyName: "Ajena", birthDate: "1970-01-01", gender: FEMALE }) { id } }')).registerPatient.id;

  const key = await keyPair();
  const { registerApiClient: client } = await call(admin, REGISTER, { i: { name: 'Lector', jwks: key.jwks, scopes: ['system/Patient.rs', 'system/Encounter.rs'] } });
  const { body } = await requestToken(tokenForm(await assertion(client.id, key)));
  const fhir = fhirClient(body.access_token);
  expect(await refusal(fhir.read({ resourceType: 'Patient', id: foreign }))).toEqual({ status: 404, code: 'not-found' });
  const searched = (await fhir.search({ resourceType: 'Patient', searchParams: { family: 'Ajena' } })) as unknown as Bundle;
  expect(searched.total).toBe(0);
  const byId = (await fhir.search({ resourceType: 'Patient', searchParams: { _id: foreign, _revinclude: 'Encounter:patient' } })) as unknown as Bundle;
  expect(JSON.stringify(byId)).not.toContain('Forastera');
  // and its own clinic's client cannot be revoked from the other clinic
  expect(codes(await platform.query('mutation($id: ID!) { revokeApiClient(id: $id) { id } }', { id: client.id }, adminB))).toEqual(['NOT_FOUND']);
});

test('a client with Patient.crus creates a patient through FHIR; its clinic is the client\'s', async () => {
  const key = await keyPair('RS384');
  const { registerApiClient: client } = await call(admin, REGISTER, { i: { name: 'Admisiones', jwks: key.jwks, scopes: ['system/Patient.crus'] } });
  const { body } = await requestToken(tokenForm(await assertion(client.id, key, { alg: 'RS384' })));
  const created = (await fhirClient(body.access_token).create({
    resourceType: 'Patient',
    body: { resourceType: 'Patient', name: [{ family: 'Desde', given: ['Integración'] }], birthDate: '1999-09-09', gender: 'female' },
  })) as Patient;
  assertValidFhir(created);
  // the staff of the client's clinic see it
  const { patient } = await call(office, 'query($id: ID!) { patient(id: $id) { familyName givenName } }', { id: created.id });
  expect(patient).toEqual({ familyName: 'Desde', givenName: 'Integración' });
});
