import { randomUUID } from 'node:crypto';
import { codes, gql } from '@clinicult/testing';
import { archived, snapshotOf, startHarness, type Staff, type VisitsHarness } from './__tests__/harness.js';

/**
 * visitReport: per-day counts (zero days included), per doctor, cancellations, the time in each
 * state from the stored timelines, top diagnoses ("<5" below five, medical:read only), who may read
 * it, tenant isolation and the range rules.
 */
let h: VisitsHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
const a = {} as Record<'admin' | 'doctor' | 'nurse' | 'office', Staff>;
let doctorB: Staff;
const doctor1 = randomUUID();
const doctor2 = randomUUID();

const J06 = { code: 'J06.9', description: 'Faringitis aguda' };
const G44 = { code: 'G44.2', description: 'Cefalea tensional' };
const I10 = { code: 'I10', description: 'Hipertensión esencial' };

/** a visit of `localDate` finished (or cancelled) at noon UTC that day */
const visitOn = (clinicId: string, localDate: string, patch: Record<string, unknown> = {}) =>
  snapshotOf(clinicId, randomUUID(), { localDate, finishedAt: `${localDate}T12:00:00.000Z`, ...patch });

const cancelled = { status: 'CANCELLED', cancelReason: 'Se marchó', doctorId: null, diagnoses: null, notes: null };

beforeAll(async () => {
  h = await startHarness();
  a.admin = await h.staff(clinicA, ['ADMIN']);
  a.doctor = await h.staff(clinicA, ['DOCTOR']);
  a.nurse = await h.staff(clinicA, ['NURSE']);
  a.office = await h.staff(clinicA, ['OFFICE']);
  doctorB = await h.staff(clinicB, ['DOCTOR']);

  // 2026-11-01: five finished by doctor1 (all J06.9, two also G44.2), one cancelled
  for (let i = 0; i < 5; i += 1) {
    await archived(h, visitOn(clinicA, '2026-11-01', { doctorId: doctor1, diagnoses: i < 2 ? [J06, G44] : [J06] }));
  }
  await archived(h, visitOn(clinicA, '2026-11-01', cancelled));
  // 2026-11-02: nothing. 2026-11-03: one finished by doctor2, straight to the doctor (no triage)
  const base = '2026-11-03T10:00:00.000Z';
  const at = (m: number) => new Date(Date.parse(base) + m * 60_000).toISOString();
  await archived(
    h,
    visitOn(clinicA, '2026-11-03', {
      doctorId: doctor2,
      diagnoses: [I10],
      checkedInAt: base,
      finishedAt: at(47),
      timeline: [
        { from: null, to: 'WAITING', by: 'office-user', at: base },
        { from: 'WAITING', to: 'WITH_DOCTOR', by: doctor2, at: at(13) },
        { from: 'WITH_DOCTOR', to: 'CHECKOUT', by: doctor2, at: at(43) },
        { from: 'CHECKOUT', to: 'FINISHED', by: 'office-user', at: at(47) },
      ],
    }),
  );
  // 2026-11-04: nothing. 2026-11-05: one cancelled
  await archived(h, visitOn(clinicA, '2026-11-05', cancelled));
  // outside the range
  await archived(h, visitOn(clinicA, '2026-11-06', { doctorId: doctor1, diagnoses: [J06] }));
  await archived(h, visitOn(clinicA, '2026-10-31', { ...cancelled }));
  // another clinic, same days, same doctor id and codes: never counted for clinic A
  for (let i = 0; i < 3; i += 1) await archived(h, visitOn(clinicB, '2026-11-01', { doctorId: doctor1, diagnoses: [G44] }));
  await archived(h, visitOn(clinicB, '2026-11-02', cancelled));
});

afterAll(async () => {
  await h?.close();
});

const FULL = `from to perDay { date finished cancelled } perDoctor { doctor { id } finished } cancellations
  averageMinutesInState { state minutes } topDiagnoses { code description count }`;

const report = (who: Staff, from = '2026-11-01', to = '2026-11-05', fields = FULL) =>
  gql(h.url, `query ($from: Date!, $to: Date!) { visitReport(from: $from, to: $to) { ${fields} } }`, { from, to }, { token: who.token });

const PER_DAY = [
  { date: '2026-11-01', finished: 5, cancelled: 1 },
  { date: '2026-11-02', finished: 0, cancelled: 0 },
  { date: '2026-11-03', finished: 1, cancelled: 0 },
  { date: '2026-11-04', finished: 0, cancelled: 0 },
  { date: '2026-11-05', finished: 0, cancelled: 1 },
];

describe('visitReport: the numbers', () => {
  test('per day (every day, zeros included), per doctor, cancellations', async () => {
    const r = await report(a.doctor);
    expect(r.errors).toBeUndefined();
    expect(r.data!.visitReport).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-05',
      perDay: PER_DAY,
      perDoctor: [
        { doctor: { id: doctor1 }, finished: 5 },
        { doctor: { id: doctor2 }, finished: 1 },
      ],
      cancellations: 2,
    });
  });

  test('a single day and a range with no visits at all', async () => {
    const one = await report(a.doctor, '2026-11-03', '2026-11-03', 'perDay { date finished cancelled } cancellations perDoctor { finished }');
    expect(one.data!.visitReport).toEqual({ perDay: [{ date: '2026-11-03', finished: 1, cancelled: 0 }], cancellations: 0, perDoctor: [{ finished: 1 }] });
    const none = await report(a.doctor, '2025-01-01', '2025-01-03');
    expect(none.errors).toBeUndefined();
    expect(none.data!.visitReport).toMatchObject({
      perDay: [
        { date: '2025-01-01', finished: 0, cancelled: 0 },
        { date: '2025-01-02', finished: 0, cancelled: 0 },
        { date: '2025-01-03', finished: 0, cancelled: 0 },
      ],
      perDoctor: [],
      cancellations: 0,
      topDiagnoses: [],
      averageMinutesInState: ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'].map((state) => ({ state, minutes: null })),
    });
  });

  test('average minutes in each state from the stored timelines', async () => {
    // seven default timelines (WAITING 5, TRIAGE 10, READY_FOR_DOCTOR 5, WITH_DOCTOR 20, CHECKOUT 5)
    // and one of WAITING 13, WITH_DOCTOR 30, CHECKOUT 4 (no triage)
    const r = await report(a.office, '2026-11-01', '2026-11-05', 'averageMinutesInState { state minutes }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.visitReport.averageMinutesInState).toEqual([
      { state: 'WAITING', minutes: 6 },
      { state: 'TRIAGE', minutes: 10 },
      { state: 'READY_FOR_DOCTOR', minutes: 5 },
      { state: 'WITH_DOCTOR', minutes: 21.25 },
      { state: 'CHECKOUT', minutes: 4.88 },
    ]);
  });

  test('top diagnoses: numbers from 5, "<5" below, most frequent first; limit', async () => {
    const r = await report(a.doctor);
    expect(r.data!.visitReport.topDiagnoses).toEqual([
      { code: 'J06.9', description: 'Faringitis aguda', count: '5' },
      { code: 'G44.2', description: 'Cefalea tensional', count: '<5' },
      { code: 'I10', description: 'Hipertensión esencial', count: '<5' },
    ]);
    const one = await report(a.doctor, '2026-11-01', '2026-11-05', 'topDiagnoses(limit: 1) { code count }');
    expect(one.data!.visitReport.topDiagnoses).toEqual([{ code: 'J06.9', count: '5' }]);
    const wide = await report(a.doctor, '2026-11-01', '2026-11-06', 'topDiagnoses(limit: 1) { code count }');
    expect(wide.data!.visitReport.topDiagnoses).toEqual([{ code: 'J06.9', count: '6' }]);
    const bad = await report(a.doctor, '2026-11-01', '2026-11-05', 'topDiagnoses(limit: 0) { code }');
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });

  test('the aggregates are GROUP BYs on the report index, not row reads', async () => {
    h.queries.length = 0;
    await report(a.doctor, '2026-11-01', '2026-11-05', 'perDay { date } perDoctor { finished } cancellations topDiagnoses { code }');
    const sql = h.queries.join('\n');
    expect(sql).toMatch(/GROUP BY localDate, status/);
    expect(sql).toMatch(/GROUP BY doctorId/);
    expect(sql).toMatch(/GROUP BY d\.code/);
    const plan = await h.db.$queryRawUnsafe<Array<{ key: string | null }>>(
      `EXPLAIN SELECT localDate, status, COUNT(*) FROM HistoricVisit WHERE clinicId = ? AND localDate BETWEEN ? AND ? GROUP BY localDate, status`,
      clinicA,
      '2026-11-01',
      '2026-11-05',
    );
    expect(plan[0]!.key).toBe('HistoricVisit_clinicId_localDate_status_doctorId_idx');
  });
});

describe('visitReport: who may read it', () => {
  test('OFFICE (report:read, no medical:read) gets the report with topDiagnoses null and FORBIDDEN beside it', async () => {
    const r = await report(a.office);
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.errors![0]!.path).toEqual(['visitReport', 'topDiagnoses']);
    expect(r.data!.visitReport).toMatchObject({ perDay: PER_DAY, cancellations: 2, topDiagnoses: null });
    expect(r.data!.visitReport.perDoctor).toHaveLength(2);
    expect(r.data!.visitReport.averageMinutesInState).toHaveLength(5);
  });

  test('ADMIN (report:read, no medical:read) is refused topDiagnoses too', async () => {
    const r = await report(a.admin);
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data!.visitReport).toMatchObject({ cancellations: 2, topDiagnoses: null });
  });

  test('NURSE (no report:read) is refused the whole report', async () => {
    const r = await report(a.nurse);
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data?.visitReport ?? null).toBeNull();
  });

  test('no token: refused', async () => {
    const r = await gql(h.url, 'query { visitReport(from: "2026-11-01", to: "2026-11-05") { cancellations } }');
    expect(r.data?.visitReport ?? null).toBeNull();
    expect(r.errors?.length).toBeGreaterThan(0);
  });
});

describe('visitReport: tenants', () => {
  test("another clinic's visits are never counted, and it sees only its own", async () => {
    const r = await report(doctorB, '2026-11-01', '2026-11-05');
    expect(r.errors).toBeUndefined();
    expect(r.data!.visitReport).toMatchObject({
      perDay: [
        { date: '2026-11-01', finished: 3, cancelled: 0 },
        { date: '2026-11-02', finished: 0, cancelled: 1 },
        { date: '2026-11-03', finished: 0, cancelled: 0 },
        { date: '2026-11-04', finished: 0, cancelled: 0 },
        { date: '2026-11-05', finished: 0, cancelled: 0 },
      ],
      perDoctor: [{ doctor: { id: doctor1 }, finished: 3 }],
      cancellations: 1,
      topDiagnoses: [{ code: 'G44.2', description: 'Cefalea tensional', count: '<5' }],
    });
  });
});

describe('visitReport: the range', () => {
  test.each([
    ['from after to', '2026-11-05', '2026-11-01'],
    ['367 days', '2026-01-01', '2027-01-02'],
    ['not a date', '2026-13-01', '2026-12-01'],
  ])('%s: BAD_USER_INPUT', async (_name, from, to) => {
    const r = await report(a.doctor, from, to, 'cancellations');
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.data?.visitReport ?? null).toBeNull();
  });

  test('366 days (a leap year) is allowed', async () => {
    const r = await report(a.doctor, '2028-01-01', '2028-12-31', 'perDay { date } cancellations');
    expect(r.errors).toBeUndefined();
    expect(r.data!.visitReport.perDay).toHaveLength(366);
  });
});

describe('diagnosisSuggestions: the codes the clinic gave, for the consultation form', () => {
  const SUGGEST = 'query ($p: String, $f: Int) { diagnosisSuggestions(prefix: $p, first: $f) { code description uses } }';
  const suggest = (who: Staff, p?: string, f?: number) => gql(h.url, SUGGEST, { p, f }, { token: who.token });

  test('most used first, with the description a doctor wrote; by the start of the code, any case or spacing; own clinic only', async () => {
    const all = await suggest(a.doctor);
    expect(all.errors).toBeUndefined();
    expect(all.data!.diagnosisSuggestions).toEqual([
      { code: 'J06.9', description: 'Faringitis aguda', uses: 6 },
      { code: 'G44.2', description: 'Cefalea tensional', uses: 2 },
      { code: 'I10', description: 'Hipertensión esencial', uses: 1 },
    ]);
    expect((await suggest(a.doctor, 'j0')).data!.diagnosisSuggestions.map((s: { code: string }) => s.code)).toEqual(['J06.9']);
    expect((await suggest(a.nurse, ' i ')).data!.diagnosisSuggestions.map((s: { code: string }) => s.code)).toEqual(['I10']);
    expect((await suggest(a.doctor, undefined, 1)).data!.diagnosisSuggestions).toHaveLength(1);
    // LIKE's wildcards are literal
    expect((await suggest(a.doctor, '%')).data!.diagnosisSuggestions).toEqual([]);
    expect((await suggest(a.doctor, '_06')).data!.diagnosisSuggestions).toEqual([]);
    // clinic B's doctor sees clinic B's codes only
    expect((await suggest(doctorB)).data!.diagnosisSuggestions).toEqual([{ code: 'G44.2', description: 'Cefalea tensional', uses: 3 }]);
  });

  test('clinical information: FORBIDDEN without medical:read; a bad page size is BAD_USER_INPUT', async () => {
    expect(codes(await suggest(a.office))).toEqual(['FORBIDDEN']);
    expect(codes(await suggest(a.admin))).toEqual(['FORBIDDEN']);
    expect(codes(await suggest(a.doctor, undefined, 0))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await suggest(a.doctor, undefined, 21))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await suggest(a.doctor, 'X'.repeat(17)))).toEqual(['BAD_USER_INPUT']);
  });

  test('a code given only more than a year ago is not suggested', async () => {
    await archived(h, visitOn(clinicA, '2025-10-01', { doctorId: doctor1, diagnoses: [{ code: 'Z00.0', description: 'Revisión general' }] }));
    expect((await suggest(a.doctor, 'Z')).data!.diagnosisSuggestions).toEqual([]);
  });
});
