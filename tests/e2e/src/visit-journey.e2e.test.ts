import { codes, openEventStream, eventually } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

let platform: Platform;
let office: string;
let nurse: string;
let doctor: string;

beforeAll(async () => {
  // an open queue stream checks its session every 2 s here (15 s by default): a revocation shows soon
  platform = await startPlatform({ gatewayEnv: { QUEUE_EVENTS_RECHECK_MS: '2000' } });
  const tokenOf = async (who: string) => (await platform.login(`${who}@demo.clinicult.test`)).token;
  office = await tokenOf('office');
  nurse = await tokenOf('nurse');
  doctor = await tokenOf('doctor');
});
afterAll(async () => {
  await platform?.stop();
});

async function call(token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await platform.query(query, variables, token);
  if (response.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

async function newPatient(familyName: string): Promise<string> {
  const data = await call(office, `mutation($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }`, {
    i: { givenName: 'Journey', familyName, birthDate: '1980-05-17', gender: 'FEMALE' },
  });
  return data.registerPatient.id;
}

test('a visit all the way through, each step by the right role, ends archived in the patient\'s history', async () => {
  const patientId = await newPatient('Recorrido');
  const checkIn = await call(office, `mutation($p: ID!) { checkIn(patientId: $p, reason: "Cough for a week") { id state } }`, { p: patientId });
  const visitId = checkIn.checkIn.id;
  await call(nurse, `mutation($v: ID!) { startTriage(visitId: $v) { state } }`, { v: visitId });
  await call(nurse, `mutation($v: ID!) { recordVitals(visitId: $v, vitals: { temperatureC: 38.2, heartRate: 92, systolic: 125, diastolic: 82 }) { state } }`, { v: visitId });
  await call(nurse, `mutation($v: ID!) { sendToDoctor(visitId: $v) { state } }`, { v: visitId });
  // the nurse cannot do the doctor's step, and nothing changes
  expect(codes(await platform.query(`mutation($v: ID!) { startConsultation(visitId: $v) { state } }`, { v: visitId }, nurse))).toEqual(['FORBIDDEN']);
  await call(doctor, `mutation($v: ID!) { startConsultation(visitId: $v) { state } }`, { v: visitId });
  await call(doctor, `mutation($v: ID!) { recordConsultation(visitId: $v, input: { notes: "Viral bronchitis", diagnoses: [{ code: "J20.9", description: "Acute bronchitis" }] }) { state } }`, { v: visitId });
  await call(doctor, `mutation($v: ID!) { completeConsultation(visitId: $v) { state } }`, { v: visitId });
  expect((await call(office, `mutation($v: ID!) { finishVisit(visitId: $v) }`, { v: visitId })).finishVisit).toBe(true);

  const history = await eventually(
    () => call(doctor, `query($p: ID!) { patient(id: $p) { currentVisit { id } visitCount history(first: 5) { edges { node { id status reason diagnoses { code } doctor { displayName } nurse { displayName } } } } } }`, { p: patientId }),
    (d) => d.patient.visitCount === 1,
  );
  expect(history.patient.currentVisit).toBeNull();
  expect(history.patient.history.edges[0].node).toEqual({
    id: visitId,
    status: 'FINISHED',
    reason: 'Cough for a week',
    diagnoses: [{ code: 'J20.9' }],
    doctor: { displayName: 'Daniel Ortega' },
    nurse: { displayName: 'Nuria Vidal' },
  });
  // the front desk sees the visit, not its diagnoses
  const asOffice = await platform.query(`query($p: ID!) { patient(id: $p) { history(first: 1) { edges { node { id diagnoses { code } } } } } }`, { p: patientId }, office);
  expect(asOffice.data!.patient.history.edges[0].node).toEqual({ id: visitId, diagnoses: null });
  expect(codes(asOffice)).toEqual(['FORBIDDEN']);
});

test('one gateway query returns a patient, its current visit and its last 20 historic visits', async () => {
  const patientId = await newPatient('Historial');
  const cancelled: string[] = [];
  for (let i = 0; i < 22; i++) {
    const { checkIn } = await call(office, `mutation($p: ID!, $r: String!) { checkIn(patientId: $p, reason: $r) { id } }`, { p: patientId, r: `Visit ${i}` });
    await call(office, `mutation($v: ID!) { cancelVisit(visitId: $v, reason: "left before triage") }`, { v: checkIn.id });
    cancelled.push(checkIn.id);
  }
  const current = (await call(office, `mutation($p: ID!) { checkIn(patientId: $p, reason: "Today") { id } }`, { p: patientId })).checkIn.id;

  const data = await eventually(
    () =>
      call(doctor, `query($p: ID!) {
        patient(id: $p) {
          familyName
          currentVisit { id state reason }
          visitCount
          history(first: 20) { totalCount pageInfo { hasNextPage } edges { node { id status reason } } }
        }
      }`, { p: patientId }),
    (d) => d.patient.visitCount === 22,
  );
  expect(data.patient.familyName).toBe('Historial');
  expect(data.patient.currentVisit).toEqual({ id: current, state: 'WAITING', reason: 'Today' });
  expect(data.patient.visitCount).toBe(22);
  expect(data.patient.history.totalCount).toBe(22);
  expect(data.patient.history.pageInfo.hasNextPage).toBe(true);
  const ids = data.patient.history.edges.map((e: any) => e.node.id);
  expect(ids).toEqual(cancelled.slice(-20).reverse()); // newest first, each archived exactly once
  expect(data.patient.history.edges.every((e: any) => e.node.status === 'CANCELLED')).toBe(true);
});

describe('the waiting room: a display on a key of its own, and the queue push', () => {
  const REGISTER = 'mutation($n: String!) { registerDisplay(name: $n) { key display { id name revokedAt createdBy { id } } } }';
  const SIGN_IN = 'mutation($k: String!) { displaySignIn(key: $k) { token expiresAt clinicId displayName } }';
  const ROOM = '{ waitingRoom { nowCalling { name state since } waiting { name state } } }';

  test('an ADMIN registers a display; it signs in with its key and sees first names and initials only, nothing else', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    const registered = (await call(admin.token, REGISTER, { n: 'Waiting room, ground floor' })).registerDisplay;
    expect(registered.key).toMatch(/^cdk_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
    expect(registered.display).toMatchObject({ name: 'Waiting room, ground floor', revokedAt: null, createdBy: { id: admin.userId } });
    // anyone without display:write may not register one: no row, no key
    for (const token of [nurse, office, doctor]) {
      expect(codes(await platform.query(REGISTER, { n: 'Sneaky' }, token))).toEqual(['FORBIDDEN']);
    }
    const session = (await call('', SIGN_IN, { k: registered.key })).displaySignIn;
    expect(session).toMatchObject({ clinicId: admin.clinicId, displayName: 'Waiting room, ground floor' });

    const patientId = await newPatient('Zubizarreta');
    const { checkIn } = await call(office, 'mutation($p: ID!) { checkIn(patientId: $p, reason: "Fiebre") { id } }', { p: patientId });
    let room = (await call(session.token, ROOM)).waitingRoom;
    expect(room.waiting).toContainEqual({ name: 'Journey Z.', state: 'WAITING' });
    await call(nurse, 'mutation($v: ID!) { startTriage(visitId: $v) { id } }', { v: checkIn.id });
    room = (await call(session.token, ROOM)).waitingRoom;
    expect(room.nowCalling[0]).toMatchObject({ name: 'Journey Z.', state: 'TRIAGE' });
    expect(JSON.stringify(room)).not.toContain('Zubizarreta');

    // it speaks the clinic's language (Spanish for a moment), the one setting it may read
    const SET_LOCALE = 'mutation($l: String!) { updateClinicSettings(input: { defaultLocale: $l }) { defaultLocale } }';
    await call(admin.token, SET_LOCALE, { l: 'es' });
    try {
      expect((await call(session.token, '{ clinicLanguage }')).clinicLanguage).toBe('es');
    } finally {
      await call(admin.token, SET_LOCALE, { l: 'en' });
    }
    // the display's token opens nothing else: it is nobody (me: null), and not the queue, a patient or a mutation
    expect((await call(session.token, '{ me { id } }')).me).toBeNull();
    for (const query of ['{ queue { id } }', `{ patient(id: "${patientId}") { givenName } }`, '{ patients(first: 1) { totalCount } }', '{ clinicSettings { phone } }']) {
      const refused = await platform.query(query, {}, session.token);
      expect([query, codes(refused).every((c) => c === 'FORBIDDEN' || c === 'UNAUTHENTICATED') && codes(refused).length > 0]).toEqual([query, true]);
    }
    expect(codes(await platform.query('mutation($v: ID!) { cancelVisit(visitId: $v) }', { v: checkIn.id }, session.token))).toEqual(['FORBIDDEN']);
    expect(codes(await platform.query(REGISTER, { n: 'Another' }, session.token))).toEqual(['FORBIDDEN']);
  });

  test('the queue push tells a board within a second or two; revoking the display ends its stream, its token and its key at once', async () => {
    const admin = await platform.login(platform.demo.admin.email);
    const { key, display } = (await call(admin.token, REGISTER, { n: 'Second floor' })).registerDisplay;
    const session = (await call('', SIGN_IN, { k: key })).displaySignIn;
    const url = `${platform.gatewayUrl.replace(/\/graphql$/, '')}/events/queue`;
    const board = await openEventStream(url, nurse);
    const screen = await openEventStream(url, session.token);
    await Promise.all([board.next('ready'), screen.next('ready')]);
    const patientId = await newPatient('Push');
    const started = Date.now();
    await call(office, 'mutation($p: ID!) { checkIn(patientId: $p, reason: "Tos") { id } }', { p: patientId });
    await Promise.all([board.next('queue', 2000), screen.next('queue', 2000)]);
    expect(Date.now() - started).toBeLessThan(2000);

    const revoked = (await call(admin.token, 'mutation($id: ID!) { revokeDisplay(id: $id) { id revokedAt } }', { id: display.id })).revokeDisplay;
    expect(revoked.revokedAt).not.toBeNull();
    // its token now: refused everywhere; its key: refused; its open stream: ended at the next session check
    const after = await platform.query(ROOM, {}, session.token);
    expect([codes(after), after.errors?.[0]?.extensions?.reason]).toEqual([['UNAUTHENTICATED'], 'CLIENT_REVOKED']);
    const again = await platform.query(SIGN_IN, { k: key });
    expect([codes(again), again.errors?.[0]?.extensions?.reason]).toEqual([['UNAUTHENTICATED'], 'CLIENT_KEY_INVALID']);
    const ended = await screen.next('session-ended', 5000);
    expect(JSON.parse(ended.data)).toMatchObject({ reason: 'CLIENT_REVOKED' });
    // a staff board stays open
    expect(board.events.some((e) => e.event === 'session-ended')).toBe(false);
    board.close();
    // the ADMIN's list shows it switched off; the trail says who did both
    const listed = (await call(admin.token, '{ displays { id name revokedAt } }')).displays;
    expect(listed.find((d: { id: string }) => d.id === display.id)).toMatchObject({ name: 'Second floor', revokedAt: revoked.revokedAt });
    const trail = await eventually(
      () => platform.query('{ auditLog(first: 20) { edges { node { action actor { id } } } } }', {}, admin.token),
      (r) => (r.data?.auditLog.edges ?? []).some((e: { node: { action: string } }) => e.node.action === 'display.revoked'),
    );
    const actions = trail.data!.auditLog.edges.map((e: { node: { action: string; actor: { id: string } } }) => [e.node.action, e.node.actor?.id]);
    expect(actions).toEqual(expect.arrayContaining([['display.registered', admin.userId], ['display.revoked', admin.userId]]));
  });

  test('a key that is wrong, made up or malformed is one and the same refusal', async () => {
    for (const k of ['', 'cdk_nope', `cdk_${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}_${'A'.repeat(43)}`]) {
      const refused = await platform.query(SIGN_IN, { k });
      expect([k, codes(refused), refused.errors?.[0]?.extensions?.reason]).toEqual([k, ['UNAUTHENTICATED'], 'CLIENT_KEY_INVALID']);
    }
  });
});
