import { randomUUID } from 'node:crypto';
import { parseStreamFields } from '@clinicult/events';
import { hasPermission, permissionsForRoles, type Role } from '@clinicult/rbac';
import { clinicSnapshot, codes, gql, fieldPaths, ok, registerPatient, STEPS, visitIn, type Team } from '@clinicult/testing';
import { localDate } from './clock.js';
import { auditEvents, startHarness, type PatientsHarness, type Staff } from './patients.js';

/**
 * The visit over real HTTP and MariaDB, with the real admin answering the clinics' time zones.
 * The table-driven test tries every operation, for every role (and a DOCTOR+ADMIN), from every
 * state, and checks it is allowed exactly where DESIGN.md says and refused with the right code
 * and no change anywhere else.
 */
let h: PatientsHarness;
let clinic: string;
let team: Team;
/** Templates in the real clinic service: recordIntake needs an INTAKE one, templateAnswers a NOTE one. */
let templates: { intake: string; note: string };

beforeAll(async () => {
  h = await startHarness({ withClinic: true });
  clinic = await h.admin.createClinic('Visits Clinic', 'Europe/Madrid');
  team = {
    office: await h.staff(clinic, ['OFFICE']),
    nurse: await h.staff(clinic, ['NURSE']),
    doctor: await h.staff(clinic, ['DOCTOR']),
  };
  templates = {
    intake: await h.clinic!.createTemplate(clinic, { name: 'Intake', kind: 'INTAKE', fields: [{ key: 'pain', label: 'Pain', type: 'NUMBER', min: 0, max: 10 }] }),
    note: await h.clinic!.createTemplate(clinic, { name: 'Throat', kind: 'NOTE', fields: [{ key: 'throat', label: 'Throat', type: 'TEXT' }] }),
  };
});

afterAll(async () => {
  await h?.close();
});

// DESIGN.md, "The visit" (plus issue 17's setVisitPriority) — written out here independently of src/domain/visit-state.ts.
const DESIGN: Record<string, { from: Array<string | null>; to: string; permission: string }> = {
  checkIn: { from: [null], to: 'WAITING', permission: 'clinicult:visit:frontdesk' },
  startTriage: { from: ['WAITING'], to: 'TRIAGE', permission: 'clinicult:visit:triage' },
  recordVitals: { from: ['TRIAGE'], to: 'TRIAGE', permission: 'clinicult:visit:triage' },
  recordIntake: { from: ['TRIAGE'], to: 'TRIAGE', permission: 'clinicult:visit:triage' },
  sendToDoctor: { from: ['TRIAGE'], to: 'READY_FOR_DOCTOR', permission: 'clinicult:visit:triage' },
  setVisitPriority: { from: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'], to: 'same', permission: 'clinicult:visit:triage' },
  startConsultation: { from: ['READY_FOR_DOCTOR'], to: 'WITH_DOCTOR', permission: 'clinicult:visit:consult' },
  recordConsultation: { from: ['WITH_DOCTOR'], to: 'WITH_DOCTOR', permission: 'clinicult:visit:consult' },
  completeConsultation: { from: ['WITH_DOCTOR'], to: 'CHECKOUT', permission: 'clinicult:visit:consult' },
  finishVisit: { from: ['CHECKOUT'], to: 'ARCHIVED', permission: 'clinicult:visit:frontdesk' },
  cancelVisit: { from: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR'], to: 'ARCHIVED', permission: 'clinicult:visit:frontdesk' },
};

/** The mutation for each operation, given the patient and visit it acts on. */
const CALLS: Record<string, (t: { patientId: string; visitId: string }) => [string, Record<string, unknown>]> = {
  checkIn: (t) => ['mutation ($p: ID!) { checkIn(patientId: $p, reason: "Tos") { id } }', { p: t.patientId }],
  startTriage: (t) => ['mutation ($v: ID!) { startTriage(visitId: $v) { id } }', { v: t.visitId }],
  recordVitals: (t) => ['mutation ($v: ID!) { recordVitals(visitId: $v, vitals: { spo2: 97 }) { id } }', { v: t.visitId }],
  recordIntake: (t) => ['mutation ($v: ID!) { recordIntake(visitId: $v, answers: { pain: 4 }) { id } }', { v: t.visitId }],
  sendToDoctor: (t) => ['mutation ($v: ID!) { sendToDoctor(visitId: $v) { id } }', { v: t.visitId }],
  setVisitPriority: (t) => ['mutation ($v: ID!) { setVisitPriority(visitId: $v, priority: URGENT) { id } }', { v: t.visitId }],
  startConsultation: (t) => ['mutation ($v: ID!) { startConsultation(visitId: $v) { id } }', { v: t.visitId }],
  recordConsultation: (t) => [
    'mutation ($v: ID!) { recordConsultation(visitId: $v, input: { notes: "Faringitis", diagnoses: [{ code: "J02.9" }] }) { id } }',
    { v: t.visitId },
  ],
  completeConsultation: (t) => ['mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', { v: t.visitId }],
  finishVisit: (t) => ['mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: t.visitId }],
  cancelVisit: (t) => ['mutation ($v: ID!) { cancelVisit(visitId: $v, reason: "Se fue") }', { v: t.visitId }],
};

const ROLES: Record<string, Role[]> = {
  ADMIN: ['ADMIN'],
  DOCTOR: ['DOCTOR'],
  NURSE: ['NURSE'],
  OFFICE: ['OFFICE'],
  'DOCTOR+ADMIN': ['DOCTOR', 'ADMIN'],
};
const STATES = ['NONE', ...STEPS] as const;
type State = (typeof STATES)[number];

function expectedOutcome(operation: string, state: State, roles: Role[]): string {
  const rule = DESIGN[operation]!;
  if (!hasPermission(permissionsForRoles(roles), rule.permission)) return 'FORBIDDEN';
  if (operation === 'checkIn') return state === 'NONE' ? 'OK' : 'CONFLICT';
  if (state === 'NONE') return 'NOT_FOUND';
  return rule.from.includes(state) ? 'OK' : 'BAD_USER_INPUT';
}

describe('every (state, role, operation)', () => {
  // Refusals change nothing, so one visit per state serves every refusal (the snapshot proves it).
  const fixtures = {} as Record<State, { patientId: string; visitId: string }>;
  const staff: Record<string, Staff> = {};

  beforeAll(async () => {
    for (const state of STEPS) fixtures[state] = await visitIn(h, team, state);
    // NONE: a patient without a current visit, and the id of a visit that is already archived
    const archived = await visitIn(h, team, 'WAITING');
    await ok(h, team.office, 'mutation ($v: ID!) { cancelVisit(visitId: $v) }', { v: archived.visitId });
    fixtures.NONE = { patientId: archived.patientId, visitId: archived.visitId };
    for (const [name, roles] of Object.entries(ROLES)) staff[name] = await h.staff(clinic, roles);
  });

  test.each(Object.keys(DESIGN))('%s', async (operation) => {
    const mismatches: string[] = [];
    for (const state of STATES) {
      for (const [roleName, roles] of Object.entries(ROLES)) {
        const expected = expectedOutcome(operation, state, roles);
        const caller = staff[roleName]!;
        const label = `${operation} from ${state} as ${roleName}`;
        if (expected === 'OK') {
          // a fresh visit in that state: the operation changes it
          const target =
            state === 'NONE'
              ? { patientId: await registerPatient(h, team.office), visitId: '' }
              : await visitIn(h, team, state, operation === 'recordIntake' ? { templateId: templates.intake } : {});
          const [query, variables] = CALLS[operation]!(target);
          const r = await gql(h.url, query, variables, { token: caller.token });
          if (r.errors) {
            mismatches.push(`${label}: expected OK, got ${JSON.stringify(r.errors.map((e) => e.message))}`);
            continue;
          }
          const visit = await h.db.currentVisit.findFirst({ where: { patientId: target.patientId } });
          const after = visit?.state ?? 'ARCHIVED';
          const to = DESIGN[operation]!.to === 'same' ? state : DESIGN[operation]!.to;
          if (after !== to) mismatches.push(`${label}: ended in ${after}, DESIGN.md says ${to}`);
          if (operation === 'setVisitPriority' && visit?.priority !== 'URGENT') mismatches.push(`${label}: priority not set`);
          if (operation === 'startTriage' && visit?.nurseId !== caller.id) mismatches.push(`${label}: nurse not assigned`);
          if (operation === 'startConsultation' && visit?.doctorId !== caller.id) mismatches.push(`${label}: doctor not assigned`);
          if (visit && visit.version !== (await versionBefore(target.visitId, state)) + 1) mismatches.push(`${label}: version not bumped`);
          continue;
        }
        const before = await clinicSnapshot(h, clinic);
        const [query, variables] = CALLS[operation]!(fixtures[state]);
        const r = await gql(h.url, query, variables, { token: caller.token });
        const got = codes(r).join(',') || 'OK';
        if (got !== expected) mismatches.push(`${label}: expected ${expected}, got ${got} (${r.errors?.[0]?.message ?? ''})`);
        if (expected === 'BAD_USER_INPUT' && !r.errors?.[0]?.message.startsWith(`visit is in ${state}; ${operation} is allowed from `)) {
          mismatches.push(`${label}: message does not name the state: ${r.errors?.[0]?.message}`);
        }
        if ((await clinicSnapshot(h, clinic)) !== before) mismatches.push(`${label}: the database changed on a refusal`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  /** The version a fresh visit has in each state (one bump per operation that reached it). */
  async function versionBefore(_visitId: string, state: State): Promise<number> {
    // WAITING 1; TRIAGE: startTriage + recordVitals = 3; READY 4; WITH_DOCTOR 5; CHECKOUT 6
    return { NONE: 0, WAITING: 1, TRIAGE: 3, READY_FOR_DOCTOR: 4, WITH_DOCTOR: 5, CHECKOUT: 6 }[state];
  }

  test('a refusal for lack of permission names the role that may', async () => {
    const r = await gql(h.url, 'mutation ($v: ID!) { startConsultation(visitId: $v) { id } }', { v: fixtures.READY_FOR_DOCTOR.visitId }, { token: staff.NURSE!.token });
    expect(r.errors![0]!.message).toBe('startConsultation needs clinicult:visit:consult (DOCTOR); your roles: NURSE.');
  });

  test('allowedTransitions shows what the caller may do now', async () => {
    const q = 'query ($v: ID!) { currentVisit(id: $v) { allowedTransitions } }';
    const as = async (who: Staff, state: State) =>
      (await ok<{ currentVisit: { allowedTransitions: string[] } }>(h, who, q, { v: fixtures[state].visitId })).currentVisit.allowedTransitions;
    expect(await as(team.nurse, 'TRIAGE')).toEqual(['recordVitals', 'recordIntake', 'sendToDoctor', 'setVisitPriority']);
    expect(await as(team.office, 'TRIAGE')).toEqual(['cancelVisit']);
    expect(await as(staff['DOCTOR+ADMIN']!, 'READY_FOR_DOCTOR')).toEqual(['startConsultation']);
    expect(await as(staff.ADMIN!, 'CHECKOUT')).toEqual([]);
  });
});

describe('versions and races', () => {
  test('a stale expectedVersion is CONFLICT with the current version; nothing changes', async () => {
    const { visitId } = await visitIn(h, team, 'WAITING');
    const before = await clinicSnapshot(h, clinic);
    const r = await gql(h.url, 'mutation ($v: ID!) { startTriage(visitId: $v, expectedVersion: 7) { id } }', { v: visitId }, { token: team.nurse.token });
    expect(codes(r)).toEqual(['CONFLICT']);
    expect(r.errors![0]!.extensions).toMatchObject({ reason: 'STALE_VERSION', currentVersion: 1, state: 'WAITING' });
    expect(await clinicSnapshot(h, clinic)).toBe(before);
    const good = await ok<{ startTriage: { version: number; state: string } }>(
      h,
      team.nurse,
      'mutation ($v: ID!) { startTriage(visitId: $v, expectedVersion: 1) { version state } }',
      { v: visitId },
    );
    expect(good.startTriage).toEqual({ version: 2, state: 'TRIAGE' });
  });

  test('two nurses starting triage at once: exactly one wins', async () => {
    const { visitId } = await visitIn(h, team, 'WAITING');
    const nurses = [await h.staff(clinic, ['NURSE']), await h.staff(clinic, ['NURSE'])];
    for (const expectedVersion of [undefined, 1]) {
      const target = expectedVersion ? (await visitIn(h, team, 'WAITING')).visitId : visitId;
      const results = await Promise.all(
        nurses.map((n) =>
          gql(h.url, 'mutation ($v: ID!, $e: Int) { startTriage(visitId: $v, expectedVersion: $e) { nurse { id } } }', { v: target, e: expectedVersion }, { token: n.token }),
        ),
      );
      const winners = results.filter((r) => !r.errors);
      expect(winners).toHaveLength(1);
      expect(codes(results.find((r) => r.errors)!)[0]).toMatch(/^(CONFLICT|BAD_USER_INPUT)$/);
      const row = await h.db.currentVisit.findUniqueOrThrow({ where: { id: target } });
      expect(row).toMatchObject({ state: 'TRIAGE', version: 2, nurseId: winners[0]!.data!.startTriage.nurse.id });
      expect(row.timeline).toHaveLength(2);
    }
  });

  test('a double check-in (five at once): exactly one visit', async () => {
    const patientId = await registerPatient(h, team.office);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        gql(h.url, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "Fiebre") { id } }', { p: patientId }, { token: team.office.token }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const refused = results.filter((r) => r.errors);
    expect(refused.flatMap(codes)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    expect(refused[0]!.errors![0]!.extensions).toMatchObject({ reason: 'ALREADY_CHECKED_IN' });
    expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(1);
  });

  test('finishing twice at once: one archive row, no current visit', async () => {
    const { patientId, visitId } = await visitIn(h, team, 'CHECKOUT');
    const results = await Promise.all(
      [1, 2].map(() => gql(h.url, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: visitId }, { token: team.office.token })),
    );
    expect(results.filter((r) => r.data?.finishVisit === true)).toHaveLength(1);
    expect(codes(results.find((r) => r.errors)!)[0]).toMatch(/^(CONFLICT|NOT_FOUND)$/);
    expect(await h.db.archiveOutbox.count({ where: { visitId } })).toBe(1);
    expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(0);
  });
});

describe('finish and cancel: the archive outbox', () => {
  test('finishVisit leaves exactly one outbox row with the whole visit, and no current visit', async () => {
    const { patientId, visitId } = await visitIn(h, team, 'WITH_DOCTOR', { templateId: templates.note });
    await ok(h, team.nurse, 'query ($v: ID!) { currentVisit(id: $v) { id } }', { v: visitId });
    await ok(
      h,
      team.doctor,
      `mutation ($v: ID!) { recordConsultation(visitId: $v, input: {
        notes: "Amigdalitis", diagnoses: [{ code: "j03.9", description: "Amigdalitis aguda" }],
        prescriptions: [{ drug: "Amoxicilina", dose: "500 mg", route: "oral", frequency: "cada 8 h", durationDays: 7 }],
        templateAnswers: { throat: "red" } }) { id } }`,
      { v: visitId },
    );
    await ok(h, team.doctor, 'mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', { v: visitId });
    const finished = await ok<{ finishVisit: boolean }>(h, team.office, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: visitId });
    expect(finished.finishVisit).toBe(true);
    expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(0);
    const rows = await h.db.archiveOutbox.findMany({ where: { patientId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ visitId, clinicId: clinic, deliveredAt: null });
    const snapshot = JSON.parse(rows[0]!.snapshot);
    expect(snapshot).toMatchObject({
      visitId,
      clinicId: clinic,
      patientId,
      status: 'FINISHED',
      cancelReason: null,
      reason: 'Dolor de cabeza',
      checkedInBy: team.office.id,
      nurseId: team.nurse.id,
      doctorId: team.doctor.id,
      vitals: { temperatureC: 37.9, heartRate: 92, recordedBy: team.nurse.id },
      notes: 'Amigdalitis',
      diagnoses: [{ code: 'J03.9', description: 'Amigdalitis aguda' }],
      prescriptions: [{ drug: 'Amoxicilina', durationDays: 7 }],
      templateAnswers: { throat: 'red' },
      template: { templateId: templates.note, name: 'Throat', kind: 'NOTE', version: 1 },
      finishedBy: team.office.id,
      timeZone: 'Europe/Madrid',
      version: 8,
    });
    expect(snapshot.localDate).toBe(localDate(new Date(snapshot.checkedInAt), 'Europe/Madrid'));
    expect(snapshot.timeline.map((e: any) => `${e.from}>${e.to}`)).toEqual([
      'null>WAITING',
      'WAITING>TRIAGE',
      'TRIAGE>READY_FOR_DOCTOR',
      'READY_FOR_DOCTOR>WITH_DOCTOR',
      'WITH_DOCTOR>CHECKOUT',
      'CHECKOUT>FINISHED',
    ]);
    // the patient can be checked in again
    await ok(h, team.office, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "Control") { id } }', { p: patientId });
  });

  test('cancelVisit keeps the reason', async () => {
    const { patientId, visitId } = await visitIn(h, team, 'READY_FOR_DOCTOR');
    await ok(h, team.office, 'mutation ($v: ID!) { cancelVisit(visitId: $v, reason: " Se marchó ", expectedVersion: 4) }', { v: visitId });
    expect(await h.db.currentVisit.count({ where: { patientId } })).toBe(0);
    const rows = await h.db.archiveOutbox.findMany({ where: { patientId } });
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.snapshot)).toMatchObject({ status: 'CANCELLED', cancelReason: 'Se marchó' });
    expect((await auditEvents(h, 'visit.cancelVisit')).at(-1)).toMatchObject({ patientId, details: { visitId }, actorId: team.office.id });
  });
});

describe('recordings', () => {
  test('vitals merge; implausible values are refused naming the field and unit; nothing written', async () => {
    const { visitId } = await visitIn(h, team, 'TRIAGE');
    const record = (vitals: Record<string, unknown>) =>
      gql(
        h.url,
        'mutation ($v: ID!, $x: VitalsInput!) { recordVitals(visitId: $v, vitals: $x) { vitals { temperatureC heartRate systolic diastolic recordedBy { id } } } }',
        { v: visitId, x: vitals },
        { token: team.nurse.token },
      );
    const merged = await record({ systolic: 120, diastolic: 80 });
    expect(merged.data!.recordVitals.vitals).toEqual({
      temperatureC: 37.9,
      heartRate: 92,
      systolic: 120,
      diastolic: 80,
      recordedBy: { id: team.nurse.id },
    });
    const before = await clinicSnapshot(h, clinic);
    const hot = await record({ temperatureC: 99.5 });
    expect(codes(hot)).toEqual(['BAD_USER_INPUT']);
    expect(hot.errors![0]!.message).toBe('vitals.temperatureC: 99.5 °C is outside the plausible range 30–45 °C; check the value and its unit.');
    expect(fieldPaths(hot.errors![0]!)).toEqual(['vitals.temperatureC']);
    const inverted = await record({ diastolic: 130 });
    expect(inverted.errors![0]!.message).toBe('vitals.diastolic: 130 mmHg must be lower than systolic (120 mmHg).');
    expect(await clinicSnapshot(h, clinic)).toBe(before);
  });

  test('sendToDoctor needs a vital sign; ICD-10 codes are checked', async () => {
    const patientId = await registerPatient(h, team.office);
    const { checkIn } = await ok<{ checkIn: { id: string } }>(h, team.office, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "Mareo") { id } }', { p: patientId });
    await ok(h, team.nurse, 'mutation ($v: ID!) { startTriage(visitId: $v) { id } }', { v: checkIn.id });
    const early = await gql(h.url, 'mutation ($v: ID!) { sendToDoctor(visitId: $v) { id } }', { v: checkIn.id }, { token: team.nurse.token });
    expect(codes(early)).toEqual(['BAD_USER_INPUT']);
    expect(early.errors![0]!.message).toBe('sendToDoctor: record at least one vital sign first (recordVitals).');

    const { visitId } = await visitIn(h, team, 'WITH_DOCTOR');
    const bad = await gql(
      h.url,
      'mutation ($v: ID!) { recordConsultation(visitId: $v, input: { diagnoses: [{ code: "J06.9" }, { code: "flu" }] }) { id } }',
      { v: visitId },
      { token: team.doctor.token },
    );
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(bad.errors![0]!)).toEqual(['input.diagnoses[1].code']);
    expect(bad.errors![0]!.message).toMatch(/^input.diagnoses\[1\].code: "FLU" is not an ICD-10 code/);
  });

  test("a prescription matching a recorded allergy is refused until the doctor gives the reason, which the visit and its archive keep", async () => {
    const { patientId, visitId } = await visitIn(h, team, 'WITH_DOCTOR');
    await ok(h, team.nurse, 'mutation ($id: ID!, $i: UpdatePatientInput!) { updatePatient(id: $id, input: $i) { id } }', {
      id: patientId,
      i: { allergies: [{ substance: 'Penicillin', reaction: 'Hives', severity: 'SEVERE' }] },
    });
    const PRESCRIBE = `mutation ($v: ID!, $p: [PrescriptionInput!]!) { recordConsultation(visitId: $v, input: { prescriptions: $p }) { prescriptions { drug allergyOverride } version } }`;
    const paracetamol = { drug: 'Paracetamol 1 g', dose: '1 g', route: 'oral', frequency: 'every 8 h' };
    const penicillin = { drug: 'Penicillin V 500 mg', dose: '500 mg', route: 'oral', frequency: 'every 6 h', durationDays: 7 };
    const refused = await gql(h.url, PRESCRIBE, { v: visitId, p: [paracetamol, penicillin] }, { token: team.doctor.token });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(fieldPaths(refused.errors![0]!)).toEqual(['input.prescriptions[1].allergyOverride']);
    expect(refused.errors![0]!.message).toMatch(/Penicillin V 500 mg matches the recorded allergy to Penicillin/);
    expect(refused.errors![0]!.extensions).toMatchObject({ reason: 'ALLERGY_MATCH', matches: [{ index: 1, drug: 'Penicillin V 500 mg', substance: 'Penicillin' }] });
    // nothing was written
    const unchanged = await gql(h.url, 'query ($v: ID!) { currentVisit(id: $v) { prescriptions { drug } } }', { v: visitId }, { token: team.doctor.token });
    expect(unchanged.data!.currentVisit.prescriptions).toBeNull();

    const reason = 'Reaction was a rash in childhood; tested tolerant in 2024.';
    const saved = await ok<{ recordConsultation: { prescriptions: Array<{ drug: string; allergyOverride: string | null }> } }>(h, team.doctor, PRESCRIBE, {
      v: visitId,
      p: [paracetamol, { ...penicillin, allergyOverride: reason }],
    });
    expect(saved.recordConsultation.prescriptions).toEqual([
      { drug: 'Paracetamol 1 g', allergyOverride: null },
      { drug: 'Penicillin V 500 mg', allergyOverride: reason },
    ]);
    // the archive keeps it with the visit
    await ok(h, team.doctor, 'mutation ($v: ID!) { completeConsultation(visitId: $v) { id } }', { v: visitId });
    await ok(h, team.office, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: visitId });
    const [archived] = await h.db.archiveOutbox.findMany({ where: { patientId } });
    expect(JSON.parse(archived!.snapshot).prescriptions[1]).toMatchObject({ drug: 'Penicillin V 500 mg', allergyOverride: reason });
    // no allergy recorded: nothing to confirm
    const other = await visitIn(h, team, 'WITH_DOCTOR');
    expect((await gql(h.url, PRESCRIBE, { v: other.visitId, p: [penicillin] }, { token: team.doctor.token })).errors).toBeUndefined();
  });

  test('OFFICE sees the visit but not its medical fields (null + FORBIDDEN with paths)', async () => {
    const { visitId } = await visitIn(h, team, 'TRIAGE');
    const r = await gql(
      h.url,
      'query ($v: ID!) { currentVisit(id: $v) { state reason nurse { id } vitals { temperatureC } notes diagnoses { code } } }',
      { v: visitId },
      { token: team.office.token },
    );
    expect(r.data!.currentVisit).toEqual({ state: 'TRIAGE', reason: 'Dolor de cabeza', nurse: { id: team.nurse.id }, vitals: null, notes: null, diagnoses: null });
    expect(r.errors!.map((e) => [e.extensions!.code, e.path!.join('.')])).toEqual([
      ['FORBIDDEN', 'currentVisit.vitals'],
      ['FORBIDDEN', 'currentVisit.notes'],
      ['FORBIDDEN', 'currentVisit.diagnoses'],
    ]);
  });
});

describe('queue', () => {
  /** The first instant of today in a time zone (found minute by minute; no tz tables needed). */
  function startOfLocalDay(now: Date, timeZone: string): Date {
    const today = localDate(now, timeZone);
    let t = Math.floor(now.getTime() / 60_000) * 60_000;
    while (localDate(new Date(t - 60_000), timeZone) === today) t -= 60_000;
    return new Date(t);
  }

  test('ordered by check-in, with minutes in state and stale in the clinic time zone (from admin)', async () => {
    const now = new Date();
    for (const zone of ['Europe/Madrid', 'America/Los_Angeles']) {
      const other = await h.admin.createClinic(`Queue ${zone}`, zone);
      const desk = { office: await h.staff(other, ['OFFICE']), nurse: await h.staff(other, ['NURSE']), doctor: await h.staff(other, ['DOCTOR']) };
      const midnight = startOfLocalDay(now, zone);
      const yesterdayLate = await visitIn(h, desk, 'WAITING');
      const todayEarly = await visitIn(h, desk, 'TRIAGE');
      const justNow = await visitIn(h, desk, 'WAITING');
      await h.db.currentVisit.update({ where: { id: yesterdayLate.visitId }, data: { checkedInAt: new Date(midnight.getTime() - 60_000) } });
      const early = new Date(Math.min(midnight.getTime() + 60_000, now.getTime() - 1000));
      await h.db.currentVisit.update({ where: { id: todayEarly.visitId }, data: { checkedInAt: early, stateChangedAt: new Date(now.getTime() - 20 * 60_000) } });
      const q = await ok<{ queue: Array<{ id: string; state: string; stale: boolean; minutesInState: number }> }>(
        h,
        desk.nurse,
        '{ queue { id state stale minutesInState } }',
      );
      expect(q.queue.map((v) => [v.id, v.stale])).toEqual([
        [yesterdayLate.visitId, true],
        [todayEarly.visitId, false],
        [justNow.visitId, false],
      ]);
      expect(q.queue[1]!.minutesInState).toBe(20);
      const triage = await ok<{ queue: Array<{ id: string }> }>(h, desk.nurse, '{ queue(states: [TRIAGE]) { id } }');
      expect(triage.queue.map((v) => v.id)).toEqual([todayEarly.visitId]);
    }
  });

  test('urgent visits come first: priority at check-in, changed by the nurse until the doctor calls the patient in', async () => {
    const other = await h.admin.createClinic('Queue priority', 'Europe/Madrid');
    const desk = { office: await h.staff(other, ['OFFICE']), nurse: await h.staff(other, ['NURSE']), doctor: await h.staff(other, ['DOCTOR']) };
    const first = await visitIn(h, desk, 'WAITING');
    const second = await visitIn(h, desk, 'TRIAGE');
    const urgentPatient = await registerPatient(h, desk.office);
    const { checkIn } = await ok<{ checkIn: { id: string; priority: string } }>(
      h,
      desk.office,
      'mutation ($p: ID!) { checkIn(patientId: $p, reason: "Dolor torácico", priority: URGENT) { id priority } }',
      { p: urgentPatient },
    );
    expect(checkIn.priority).toBe('URGENT');
    const board = async () =>
      (await ok<{ queue: Array<{ id: string; priority: string }> }>(h, desk.nurse, '{ queue { id priority } }')).queue.map((v) => [v.id, v.priority]);
    expect(await board()).toEqual([
      [checkIn.id, 'URGENT'],
      [first.visitId, 'ROUTINE'],
      [second.visitId, 'ROUTINE'],
    ]);
    // the nurse raises the patient in triage: ahead of the routine one, and of the urgent one who came later
    const raised = await ok<{ setVisitPriority: { priority: string; version: number } }>(
      h,
      desk.nurse,
      'mutation ($v: ID!) { setVisitPriority(visitId: $v, priority: URGENT, expectedVersion: 3) { priority version } }',
      { v: second.visitId },
    );
    expect(raised.setVisitPriority).toEqual({ priority: 'URGENT', version: 4 });
    expect(await board()).toEqual([
      [second.visitId, 'URGENT'],
      [checkIn.id, 'URGENT'],
      [first.visitId, 'ROUTINE'],
    ]);
    // a stale version, the front desk, another clinic's nurse: refused, nothing changes
    const before = await clinicSnapshot(h, other);
    const set = 'mutation ($v: ID!, $e: Int) { setVisitPriority(visitId: $v, priority: ROUTINE, expectedVersion: $e) { id } }';
    expect(codes(await gql(h.url, set, { v: second.visitId, e: 3 }, { token: desk.nurse.token }))).toEqual(['CONFLICT']);
    expect(codes(await gql(h.url, set, { v: second.visitId }, { token: desk.office.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(h.url, set, { v: second.visitId }, { token: team.nurse.token }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(h.url, 'mutation ($v: ID!) { setVisitPriority(visitId: $v, priority: SOON) { id } }', { v: second.visitId }, { token: desk.nurse.token }))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(await clinicSnapshot(h, other)).toBe(before);
  });

  test('every change of a current visit publishes visit.changed for its clinic (the queue push), naming no patient', async () => {
    const other = await h.admin.createClinic('Queue events', 'Europe/Madrid');
    const desk = { office: await h.staff(other, ['OFFICE']), nurse: await h.staff(other, ['NURSE']), doctor: await h.staff(other, ['DOCTOR']) };
    const visit = await visitIn(h, desk, 'CHECKOUT');
    await ok(h, desk.office, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: visit.visitId });
    const entries = (await h.redis.xrange(h.visitEventsStream, '-', '+')) as Array<[string, string[]]>;
    const ofThisVisit = entries
      .map(([, fields]) => parseStreamFields(fields))
      .filter((e) => (e.payload as { visitId?: string }).visitId === visit.visitId);
    // check-in, startTriage, recordVitals, sendToDoctor, startConsultation, completeConsultation, finishVisit
    expect(ofThisVisit.map((e) => e.type)).toEqual(['visit.checked_in', ...Array(6).fill('visit.changed')]);
    for (const event of ofThisVisit.slice(1)) {
      expect(event.clinicId).toBe(other);
      expect(event.payload).toEqual({ clinicId: other, visitId: visit.visitId });
    }
  });

  test('queueSize counts what the queue would show; a board cut short by first can say "the first N of M"', async () => {
    const other = await h.admin.createClinic('Queue size', 'Europe/Madrid');
    const desk = { office: await h.staff(other, ['OFFICE']), nurse: await h.staff(other, ['NURSE']), doctor: await h.staff(other, ['DOCTOR']) };
    await visitIn(h, desk, 'WAITING');
    await visitIn(h, desk, 'WAITING');
    await visitIn(h, desk, 'TRIAGE');
    const board = await ok<{ queue: Array<{ id: string }>; queueSize: number; triage: number }>(
      h,
      desk.nurse,
      '{ queue(first: 2) { id } queueSize triage: queueSize(states: [TRIAGE]) }',
    );
    expect([board.queue.length, board.queueSize, board.triage]).toEqual([2, 3, 1]);
    // another clinic's queue is not counted; OFFICE may count (it reads the queue too)
    expect((await ok<{ queueSize: number }>(h, await h.staff(await h.admin.createClinic('Empty', 'Europe/Madrid'), ['OFFICE']), '{ queueSize }')).queueSize).toBe(0);
  });

  test('a queue row answers every field as the visit itself does (the columns its read leaves out are loaded)', async () => {
    const other = await h.admin.createClinic('Queue fields', 'Europe/Madrid');
    const desk = { office: await h.staff(other, ['OFFICE']), nurse: await h.staff(other, ['NURSE']), doctor: await h.staff(other, ['DOCTOR']) };
    const { visitId } = await visitIn(h, desk, 'WITH_DOCTOR');
    const fields = 'id state reason version checkedInAt vitals { temperatureC heartRate } notes diagnoses { code } timeline { from to by { id } } template { id }';
    const { queue } = await ok<{ queue: unknown[] }>(h, desk.doctor, `{ queue { ${fields} } }`);
    const { currentVisit } = await ok<{ currentVisit: unknown }>(h, desk.doctor, `query ($v: ID!) { currentVisit(id: $v) { ${fields} } }`, { v: visitId });
    expect(queue).toEqual([currentVisit]);
    expect(queue[0]).toMatchObject({ vitals: { temperatureC: 37.9, heartRate: 92 }, timeline: expect.arrayContaining([expect.objectContaining({ to: 'WITH_DOCTOR' })]) });
  });

  test('the number of SQL statements for the queue does not grow with the number of visits', async () => {
    const other = await h.admin.createClinic('Busy Clinic', 'Europe/Madrid');
    const nurse = await h.staff(other, ['NURSE']);
    const doctorId = randomUUID();
    const query = `{ queue { id state stale minutesInState checkedInBy { id } nurse { id } doctor { id }
      timeline { by { id } } patient { id mrn givenName familyName currentVisit { id } } } }`;
    const addVisits = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const patient = await h.db.patient.create({
          data: { clinicId: other, mrn: `Q-${randomUUID().slice(0, 8)}`, givenName: `Q${i}`, familyName: 'Queue', birthDate: new Date('1990-01-01') },
        });
        await h.db.currentVisit.create({
          data: {
            clinicId: other,
            patientId: patient.id,
            reason: 'r',
            state: 'WITH_DOCTOR',
            checkedInBy: nurse.id,
            nurseId: nurse.id,
            doctorId,
            timeline: [{ from: null, to: 'WAITING', by: nurse.id, at: new Date().toISOString() }],
          },
        });
      }
    };
    // the board as clinic-web asks it: no column the queue's own read leaves out
    const board = `{ queue { id state reason stale minutesInState allowedTransitions nurse { id } doctor { id }
      patient { id mrn givenName familyName currentVisit { id state } } } }`;
    const measure = async (q: string) => {
      h.queries.length = 0;
      const r = await ok<{ queue: unknown[] }>(h, nurse, q);
      return { visits: r.queue.length, statements: h.queries.length };
    };
    await addVisits(5);
    const few = await measure(query);
    const fewBoard = await measure(board);
    await addVisits(45);
    const many = await measure(query);
    const manyBoard = await measure(board);
    expect(few.visits).toBe(5);
    expect(many.visits).toBe(50);
    expect(many.statements).toBe(few.statements);
    expect(manyBoard.statements).toBe(fewBoard.statements);
    // the queue's board columns, its patients (currentVisit is primed) and, for the timeline, the
    // whole rows of all its visits at once
    expect(many.statements).toBeLessThanOrEqual(3);
    expect(manyBoard.statements).toBeLessThanOrEqual(2);
  });

  test('_entities: 30 visits are one SQL query; another clinic’s visit resolves to null', async () => {
    const visits = await h.db.currentVisit.findMany({ where: { clinicId: clinic }, take: 30, select: { id: true } });
    const foreignClinic = await h.admin.createClinic('Foreign Clinic', 'Europe/Madrid');
    const foreignTeam = { office: await h.staff(foreignClinic, ['OFFICE']), nurse: await h.staff(foreignClinic, ['NURSE']), doctor: await h.staff(foreignClinic, ['DOCTOR']) };
    const foreign = await visitIn(h, foreignTeam, 'WAITING');
    h.queries.length = 0;
    const r = await gql(
      h.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CurrentVisit { id state } } }',
      { r: [...visits, { id: foreign.visitId }].map((v) => ({ __typename: 'CurrentVisit', id: v.id })) },
      { token: team.nurse.token },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities.slice(0, visits.length).map((v: any) => v.id)).toEqual(visits.map((v) => v.id));
    expect(r.data!._entities.at(-1)).toBeNull();
    expect(h.queries).toHaveLength(1);
  });
});

describe('tenant isolation of the visit', () => {
  test('clinic A cannot read, check in or move clinic B’s patients and visits', async () => {
    const b = await h.admin.createClinic('Clinic B for visits', 'Europe/Madrid');
    const teamB = { office: await h.staff(b, ['OFFICE']), nurse: await h.staff(b, ['NURSE']), doctor: await h.staff(b, ['DOCTOR']) };
    const inB = await visitIn(h, teamB, 'WAITING');
    const idleB = await registerPatient(h, teamB.office);
    const before = await clinicSnapshot(h, b);
    const checkIn = await gql(h.url, 'mutation ($p: ID!) { checkIn(patientId: $p, reason: "x") { id } }', { p: idleB }, { token: team.office.token });
    expect(codes(checkIn)).toEqual(['NOT_FOUND']);
    const triage = await gql(h.url, 'mutation ($v: ID!) { startTriage(visitId: $v) { id } }', { v: inB.visitId }, { token: team.nurse.token });
    expect(codes(triage)).toEqual(['NOT_FOUND']);
    const cancel = await gql(h.url, 'mutation ($v: ID!) { cancelVisit(visitId: $v) }', { v: inB.visitId }, { token: team.office.token });
    expect(codes(cancel)).toEqual(['NOT_FOUND']);
    const read = await gql(h.url, 'query ($v: ID!) { currentVisit(id: $v) { id } }', { v: inB.visitId }, { token: team.nurse.token });
    expect(read.data!.currentVisit).toBeNull();
    const queue = await ok<{ queue: Array<{ id: string }> }>(h, team.nurse, '{ queue(first: 500) { id } }');
    expect(queue.queue.map((v) => v.id)).not.toContain(inB.visitId);
    expect(await clinicSnapshot(h, b)).toBe(before);
  });
});
