// Issue 12: the outside attack run's findings, each tried against a running platform through its
// public and internal ports, and refused (docs/security.md records each attack before and after).
// One platform for the file, on a Redis of its own: the last test stops that Redis, then auth.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { CLIENT_ASSERTION_TYPE, devServiceKey, EDGE_HEADER, generateServiceKey, serviceKeyFromJwk, signClientAssertion } from '@clinicult/kit';
import { loadGatewayConfig, startGateway } from '@clinicult/gateway';
import { codes, gql, serviceTokenFromAuth, startPrivateRedis, tokenRequest, type PrivateRedis } from '@clinicult/testing';
import { startPlatform, type Platform } from '../../e2e/src/platform.js';

const PUBLIC_URL = 'https://api.clinic.example';
const JWT_ISSUER = 'https://auth.clinicult.local';

let platform: Platform;
let redis: PrivateRedis;
let idp: { sign(claims: Record<string, unknown>): Promise<string>; close(): void };
let base: string;

beforeAll(async () => {
  // an external IdP the platform trusts (EXTERNAL_IDP_*), as an Auth0 tenant would be
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256' };
  const server = http.createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const idpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp = {
    sign: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer('https://idp.example').setAudience('clinicult').setJti(randomUUID()).setIssuedAt().setExpirationTime('1h').sign(privateKey),
    close: () => server.close(),
  };
  redis = await startPrivateRedis();
  platform = await startPlatform({
    redisUrl: redis.url,
    commonEnv: { EXTERNAL_IDP_ISSUER: 'https://idp.example', EXTERNAL_IDP_JWKS_URL: `${idpUrl}/jwks` },
    gatewayEnv: { PUBLIC_URL },
  });
  base = platform.gatewayUrl.replace(/\/graphql$/, '');
}, 240_000);
afterAll(async () => {
  await platform?.stop();
  await redis?.stop();
  idp?.close();
});

/** An HTTP request from a loopback address of our choosing (127.0.0.0/8 all reach 127.0.0.1): another client. */
function requestFrom(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers, localAddress }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';
function loginFrom(localAddress: string, email: string, password: string, headers: Record<string, string> = {}) {
  return requestFrom(localAddress, platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: LOGIN, variables: { e: email, p: password } }),
  }).then((r) => JSON.parse(r.body) as { data?: { login: { token: string } } | null; errors?: Array<{ extensions?: Record<string, any> }> });
}

const toAuth = (form: Record<string, string>) => tokenRequest(platform.urls.auth, form);

describe('1. service credentials', () => {
  test("the well-known development secrets, the compose defaults and an attacker's own key get no token", async () => {
    for (const secret of ['dev-only-service-secret-users', 'dev-compose-secret-users']) {
      expect(await toAuth({ grant_type: 'client_credentials', client_id: 'users', client_secret: secret })).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid_client' }) });
    }
    const attacker = serviceKeyFromJwk('users', generateServiceKey('users').privateJwk);
    const forged = await signClientAssertion(attacker, JWT_ISSUER);
    expect((await toAuth({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: forged })).status).toBe(401);
    // a captured assertion of the real users service works once, never again
    const captured = await signClientAssertion(devServiceKey('users'), JWT_ISSUER);
    expect((await toAuth({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: captured })).status).toBe(200);
    expect((await toAuth({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: captured })).status).toBe(401);
  });

  test('each service token does only what its service needs: nobody but auth writes operators; logins, roles and suspensions are no API at all', async () => {
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const users = (await serviceTokenFromAuth(platform.urls.auth, 'users')).body.access_token!;
    const admin = (await serviceTokenFromAuth(platform.urls.auth, 'admin')).body.access_token!;
    const patients = (await serviceTokenFromAuth(platform.urls.auth, 'patients')).body.access_token!;
    const clinic = { 'x-clinicult-clinic-id': platform.clinicId };
    // taking over the doctor's login (its email is the sign-in name): no API writes a login, not even for users
    // (logins come with users' invitation events); what credentials-write still allows is users' alone
    const takeOver = `mutation($u: ID!) { upsertCredential(userId: $u, email: "evil@x.test") }`;
    for (const token of [users, admin, patients]) {
      expect(codes(await gql(platform.urls.auth, takeOver, { u: doctor.userId }, { token, headers: clinic }))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
    const clearFactors = `mutation($u: ID!) { clearSecondFactors(userId: $u) }`;
    for (const token of [admin, patients]) {
      expect(codes(await gql(platform.urls.auth, clearFactors, { u: doctor.userId }, { token, headers: clinic }))).toEqual(['FORBIDDEN']);
    }
    const operator = `mutation { upsertOperatorProfile(userId: "${randomUUID()}", email: "evil@x.test", firstName: "E", lastName: "Vil") }`;
    for (const token of [users, admin, patients]) expect(codes(await gql(platform.urls.users, operator, {}, { token }))).toEqual(['FORBIDDEN']);
    // auth has no API that makes an operator: that is the create-operator command, run where auth runs
    const fields = await gql(platform.urls.auth, '{ __type(name: "Mutation") { fields { name args { name } } } }', {}, { token: doctor.token });
    const names = (fields.data?.__type.fields ?? []).flatMap((f: { name: string; args: Array<{ name: string }> }) => [f.name, ...f.args.map((a) => a.name)]);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n: string) => /operator/i.test(n))).toEqual([]);
    // nor one that grants roles or suspends a clinic: those are identity events from users' and admin's outboxes
    expect(names.filter((n: string) => /membership|credential|clinicaccess|sendinvitation|invitationlinks/i.test(n))).toEqual([]);
    // nothing changed: the doctor is still only a doctor
    expect((await platform.login('doctor@demo.clinicult.test')).roles).toEqual(['DOCTOR']);
  });

  test('in production the gateway does not start without its key, nor with a development key', async () => {
    await expect(startGateway(loadGatewayConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', PORT: '0' }))).rejects.toThrow(/SERVICE_KEY or SERVICE_KEY_FILE/);
    const devKey = JSON.stringify(generateServiceKey('gateway', { dev: true }).privateJwk);
    await expect(startGateway(loadGatewayConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', PORT: '0', SERVICE_KEY: devKey }))).rejects.toThrow(/development service key/);
  });
});

async function auditApiOf(patientId: string, requestId: string): Promise<string | undefined> {
  const admin = await platform.login(platform.demo.admin.email);
  for (let i = 0; i < 50; i += 1) {
    const audit = await platform.query(`query($p: ID!) { auditLog(patientId: $p, first: 20) { edges { node { action api requestId } } } }`, { p: patientId }, admin.token);
    const event = audit.data?.auditLog.edges.find((e: any) => e.node.requestId === requestId);
    if (event) return event.node.api;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('2. the edge hop', () => {
  test('straight to a subgraph, the api label and the client address are ignored; through the gateway they hold', async () => {
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const patients = await platform.query(`{ patients(first: 50) { edges { node { id visitCount } } } }`, {}, doctor.token);
    const patientId = patients.data!.patients.edges.find((e: any) => e.node.visitCount > 0).node.id;
    const requestId = `sec-edge-${randomUUID()}`;
    const direct = await gql(platform.urls.patients, `query($id: ID!) { patient(id: $id) { allergies { substance } } }`, { id: patientId }, {
      token: doctor.token,
      headers: { 'x-clinicult-api': 'fhir', 'x-forwarded-for': '203.0.113.7', 'x-request-id': requestId, [EDGE_HEADER]: 'forged' },
    });
    expect(direct.errors).toBeUndefined();
    expect(await auditApiOf(patientId, requestId)).toBe('GRAPHQL');
    // the same read through the FHIR facade is recorded as FHIR (the gateway vouches for the label)
    const fhirRequest = `sec-fhir-${randomUUID()}`;
    const viaFhir = await fetch(`${base}/fhir/Condition?patient=${patientId}`, { headers: { authorization: `Bearer ${doctor.token}`, 'x-request-id': fhirRequest } });
    expect(viaFhir.status).toBe(200);
    expect(await auditApiOf(patientId, fhirRequest)).toBe('FHIR');
  });
});

describe('3. client addresses and login limits', () => {
  test('rotating X-Forwarded-For through the gateway does not escape the per-address limit (50)', async () => {
    let refused = 0;
    for (let i = 0; i < 55; i += 1) {
      const r = await loginFrom('127.0.0.5', `spray-${i}@x.test`, 'Guess-password-1', { 'x-forwarded-for': `10.9.${i}.1` });
      if (r.errors?.[0]?.extensions?.code === 'TOO_MANY_REQUESTS') refused += 1;
    }
    expect(refused).toBe(5);
    // that address only: everyone else still signs in
    expect((await platform.login('nurse@demo.clinicult.test')).token).toBeTruthy();
  });

  test("an outsider's wrong passwords never lock the owner out: they wait seconds, then sign in", async () => {
    for (let i = 0; i < 6; i += 1) await loginFrom('127.0.0.6', 'office@demo.clinicult.test', `Not-her-password-${i}`);
    const outsider = await loginFrom('127.0.0.6', 'office@demo.clinicult.test', platform.password);
    expect(outsider.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(outsider.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(60);
    // the owner, from her own address (and one that only claims to be hers is no help to the outsider)
    let owner = await loginFrom('127.0.0.7', 'office@demo.clinicult.test', platform.password);
    const waited = owner.errors?.[0]?.extensions?.retryAfterSeconds ?? 0;
    expect(waited).toBeLessThanOrEqual(10);
    if (waited) {
      await new Promise((r) => setTimeout(r, waited * 1000 + 100));
      owner = await loginFrom('127.0.0.7', 'office@demo.clinicult.test', platform.password);
    }
    expect(owner.data?.login.token).toBeTruthy();
  });
});

test('4. a token of the external IdP carrying svc is no service caller, at the subgraph nor the gateway', async () => {
  const forged = await idp.sign({ sub: 'service:admin', svc: 'admin', permissions: ['clinicult:service:clinic-counts'] });
  const counts = await gql(platform.urls.patients, '{ clinicPatientCounts { patients } }', {}, { token: forged, headers: { 'x-clinicult-clinic-id': platform.clinicId } });
  expect(counts.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  expect(counts.data?.clinicPatientCounts).toBeUndefined();
  const viaGateway = await platform.query('{ __typename }', {}, forged);
  expect(viaGateway.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
});

test('5. default page sizes are costed; a queue cut short says so', async () => {
  const nurse = await platform.login('nurse@demo.clinicult.test');
  const nested = await platform.query(`{ queue { id patient { history(first: 100) { edges { node { id diagnoses { code } } } } } } }`, {}, nurse.token);
  expect(nested.data ?? null).toBeNull();
  expect(nested.errors?.[0]?.message).toMatch(/cost/i);
  // two patients wait; a board of one says how many there are
  const office = await platform.login('office@demo.clinicult.test');
  for (const given of ['Queue', 'Board']) {
    const registered = await platform.query(`mutation($g: String!) { registerPatient(input: { givenName: $g, familyName: "Waiting", birthDate: "1980-02-02", gender: MALE }) { id } }`, { g: given }, office.token);
    const checkedIn = await platform.query(`mutation($p: ID!) { checkIn(patientId: $p, reason: "security test") { id } }`, { p: registered.data!.registerPatient.id }, office.token);
    expect(checkedIn.errors).toBeUndefined();
  }
  const page = await platform.query(`{ queue(first: 1) { id } queueSize }`, {}, nurse.token);
  expect(page.errors).toBeUndefined();
  expect(page.data!.queue.length).toBeLessThanOrEqual(1);
  expect(page.data!.queueSize).toBeGreaterThan(1);
});

describe('6. FHIR', () => {
  test('an _id search names at most 100 ids: beyond, 400 with an OperationOutcome, before any lookup', async () => {
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`).join(',');
    const many = await fetch(`${base}/fhir/Patient?_id=${ids}`, { headers: { authorization: `Bearer ${doctor.token}` } });
    expect(many.status).toBe(400);
    expect(await many.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [expect.objectContaining({ severity: 'error', code: 'invalid', details: { text: expect.stringMatching(/at most 100 ids/) } })] });
    expect((await fetch(`${base}/fhir/Patient?_id=${ids.split(',').slice(0, 100).join(',')}`, { headers: { authorization: `Bearer ${doctor.token}` } })).status).toBe(200);
  });

  test('Bundle links and Location name the configured public URL, whatever the Host header says', async () => {
    const office = await platform.login('office@demo.clinicult.test');
    const search = await requestFrom('127.0.0.1', `${base}/fhir/Patient?_count=1`, { headers: { authorization: `Bearer ${office.token}`, host: 'evil.example' } });
    const links = (JSON.parse(search.body) as { link: Array<{ url: string }> }).link.map((l) => l.url);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(`${PUBLIC_URL}/fhir/`)).toBe(true);
    const created = await requestFrom('127.0.0.1', `${base}/fhir/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${office.token}`, host: 'evil.example', 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ given: ['Host'], family: 'Header' }], birthDate: '1990-01-01', gender: 'female' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toMatch(new RegExp(`^${PUBLIC_URL}/fhir/Patient/[^/]+/_history/1$`));
  });

  test('OFFICE gets 403 for medical resources whether or not the patient has visits (decided before reading)', async () => {
    const office = await platform.login('office@demo.clinicult.test');
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const fresh = await platform.query(`mutation { registerPatient(input: { givenName: "No", familyName: "Visits", birthDate: "1990-01-01", gender: FEMALE }) { id } }`, {}, office.token);
    const someone = await platform.query(`{ patients(first: 50) { edges { node { id visitCount } } } }`, {}, doctor.token);
    const withVisits = someone.data!.patients.edges.find((e: any) => e.node.visitCount > 0).node.id;
    for (const type of ['Observation', 'Condition', 'MedicationRequest']) {
      for (const patient of [fresh.data!.registerPatient.id, withVisits, 'no-such-patient']) {
        const response = await fetch(`${base}/fhir/${type}?patient=${patient}`, { headers: { authorization: `Bearer ${office.token}` } });
        expect([type, patient, response.status]).toEqual([type, patient, 403]);
        expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
      }
    }
  });
});

describe('7. ops endpoints', () => {
  test('no public port serves /metrics or /readyz; every ops port does', async () => {
    const services = { ...platform.services, patients: platform.patients()! };
    for (const [name, service] of Object.entries(services)) {
      for (const path of ['/metrics', '/readyz']) expect([name, path, (await fetch(`${service.url}${path}`)).status]).toEqual([name, path, 404]);
      expect([name, (await fetch(`${service.opsUrl}/readyz`)).status]).toEqual([name, 200]);
      expect(await (await fetch(`${service.opsUrl}/metrics`)).text()).toMatch(/^# HELP /m);
    }
  });

  test('anonymous random operation names add no metrics series', async () => {
    const series = async () => (await (await fetch(`${platform.services.gateway.opsUrl}/metrics`)).text()).split('\n').filter((l) => l.startsWith('graphql_operations_total')).length;
    await gql(platform.gatewayUrl, `mutation Warmup { __typename }`);
    const before = await series();
    for (let i = 0; i < 20; i += 1) await gql(platform.gatewayUrl, `mutation Random${randomUUID().replace(/-/g, '')} { __typename }`);
    expect(await series()).toBe(before);
  });
});

test('9. NODE_ENV unset means production', async () => {
  const { loadAuthConfig } = await import('@clinicult/auth-service');
  const { loadUsersConfig } = await import('@clinicult/users-service');
  const { loadPatientsConfig } = await import('@clinicult/patients-service');
  const { loadVisitsConfig } = await import('@clinicult/visits-service');
  const { loadClinicConfig } = await import('@clinicult/clinic-service');
  const { loadAuditConfig } = await import('@clinicult/audit-service');
  const { loadAdminConfig } = await import('@clinicult/admin-service');
  for (const load of [loadGatewayConfig, loadUsersConfig, loadPatientsConfig, loadVisitsConfig, loadClinicConfig, loadAuditConfig, loadAdminConfig]) {
    expect(load({}).NODE_ENV).toBe('production');
  }
  // auth in production needs a real SMTP server and its own second-factor key: unset refuses to load
  expect(() => loadAuthConfig({})).toThrow(/required in production/);
});

describe('10. fail closed, with the real Redis stopped', () => {
  test('each kind of revoked token is refused by the fallback to auth; with auth stopped too, everything is', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    const nurse = await platform.login('nurse@demo.clinicult.test');
    const office = await platform.login('office@demo.clinicult.test');
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const operator = await platform.login(platform.demo.operator.email);
    const boston = await platform.login(platform.demo.secondClinic.admin.email);
    // logout; deactivation; removal from the clinic (a per-clinic cut-off); a suspended clinic
    expect((await platform.query('mutation { logout }', {}, nurse.token)).errors).toBeUndefined();
    expect((await platform.query(`mutation($id: ID!) { deactivateUser(id: $id) { id } }`, { id: office.userId }, admin.token)).errors).toBeUndefined();
    expect((await platform.query(`mutation($id: ID!) { removeMembership(userId: $id) { id } }`, { id: doctor.userId }, admin.token)).errors).toBeUndefined();
    expect((await platform.query(`mutation($id: ID!) { suspendClinic(id: $id, reason: "security test") { status } }`, { id: boston.clinicId }, operator.token)).errors).toBeUndefined();
    const revoked = [
      ['logged out', nurse.token, 'SESSION_REVOKED'],
      ['deactivated', office.token, 'USER_DEACTIVATED'],
      ['removed from the clinic', doctor.token, 'SESSION_REVOKED'],
      ['clinic suspended', boston.token, 'CLINIC_SUSPENDED'],
    ] as const;
    const PATIENTS = '{ patients(first: 1) { edges { node { id } } } }';
    const reasonAt = async (url: string, token: string) => (await gql(url, PATIENTS, {}, { token })).errors?.[0]?.extensions?.reason ?? 'answered';
    const verdicts = async () => {
      const out: Array<[string, string, string]> = [];
      for (const [what, token] of revoked) out.push([what, await reasonAt(platform.gatewayUrl, token), await reasonAt(platform.urls.patients, token)]);
      out.push(['still good', await reasonAt(platform.gatewayUrl, admin.token), await reasonAt(platform.urls.patients, admin.token)]);
      return out;
    };
    const expected = [...revoked.map(([what, , reason]) => [what, reason, reason]), ['still good', 'answered', 'answered']];
    // the facts may take a moment to reach Redis; with Redis down auth answers from its database
    for (let i = 0; i < 50 && JSON.stringify(await verdicts()) !== JSON.stringify(expected); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await verdicts()).toEqual(expected);

    await redis.stop();
    const checksBefore = await fetch(`${platform.services.auth.opsUrl}/metrics`).then((r) => r.text());
    expect(await verdicts()).toEqual(expected);
    const checksAfter = await fetch(`${platform.services.auth.opsUrl}/metrics`).then((r) => r.text());
    const sessionChecks = (text: string) => Number(/http_request_duration_seconds_count\{[^}]*route="\/internal\/session-status"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    // it was auth's fallback that answered
    expect(sessionChecks(checksAfter)).toBeGreaterThan(sessionChecks(checksBefore));
    // services still get tokens through the outage, and a replayed assertion is still refused
    const assertion = await signClientAssertion(devServiceKey('users'), JWT_ISSUER);
    const grant = { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion };
    expect((await toAuth(grant)).status).toBe(200);
    expect((await toAuth(grant)).status).toBe(401);

    await platform.services.auth.stop();
    for (const [what, token] of [...revoked, ['still good', admin.token] as const]) {
      expect([what, await reasonAt(platform.gatewayUrl, token)]).toEqual([what, 'SESSION_UNVERIFIABLE']);
      expect([what, await reasonAt(platform.urls.patients, token)]).toEqual([what, 'SESSION_UNVERIFIABLE']);
    }
  });
});
