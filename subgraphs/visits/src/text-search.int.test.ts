import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { createTestDatabase, migrate, mysqlQuery, servicePaths } from '@clinicult/db';
import { codes, gql, fieldPaths } from '@clinicult/testing';
import { archived, snapshotOf, startHarness, type Staff, type VisitsHarness } from './__tests__/harness.js';
import { listVisits } from './domain/history.js';
import { searchTextOf, textSearchQuery } from './domain/search.js';
import { PrismaClient } from './generated/prisma/client.js';

/**
 * visits(filter: { text }): a full-text search (one FULLTEXT index on HistoricVisit.searchText,
 * MATCH … AGAINST in boolean mode, every word a required prefix), over reason, cancelReason, notes
 * and the diagnoses; scoped to the caller's clinic and combinable with the other filters.
 */
let h: VisitsHarness;
const clinicA = randomUUID();
const clinicB = randomUUID();
const p1 = randomUUID();
const p2 = randomUUID();
const d1 = randomUUID();
const d2 = randomUUID();
let doctor: Staff;
let doctorB: Staff;
let office: Staff;
const v = {} as Record<'throat' | 'back' | 'cancelled' | 'strep' | 'other', string>;

beforeAll(async () => {
  h = await startHarness();
  doctor = await h.staff(clinicA, ['DOCTOR']);
  office = await h.staff(clinicA, ['OFFICE']);
  doctorB = await h.staff(clinicB, ['DOCTOR']);
  v.throat = await archived(
    h,
    snapshotOf(clinicA, p1, {
      finishedAt: '2026-11-10T10:00:00.000Z',
      doctorId: d1,
      reason: 'Dolor de garganta',
      notes: 'Exploración: leve eritema faríngeo.',
      diagnoses: [{ code: 'J02.9', description: 'Faringitis aguda' }],
    }),
  );
  v.back = await archived(
    h,
    snapshotOf(clinicA, p2, {
      finishedAt: '2026-11-12T10:00:00.000Z',
      doctorId: d2,
      reason: 'Revisión anual',
      notes: 'Paciente refiere lumbalgia crónica',
      diagnoses: [{ code: 'M54.5', description: 'Lumbalgia' }],
    }),
  );
  v.cancelled = await archived(
    h,
    snapshotOf(clinicA, p1, {
      finishedAt: '2026-11-14T10:00:00.000Z',
      status: 'CANCELLED',
      cancelReason: 'Reprogramada por el paciente',
      reason: 'Tos persistente',
      doctorId: null,
      notes: null,
      diagnoses: null,
      prescriptions: null,
    }),
  );
  v.strep = await archived(
    h,
    snapshotOf(clinicA, p2, {
      finishedAt: '2026-11-16T10:00:00.000Z',
      doctorId: d2,
      reason: 'Fiebre',
      notes: null,
      diagnoses: [{ code: 'J02.0', description: 'Faringitis estreptocócica' }, { code: 'R50.9' }],
    }),
  );
  v.other = await archived(
    h,
    snapshotOf(clinicB, randomUUID(), { finishedAt: '2026-11-18T10:00:00.000Z', reason: 'Faringitis aguda', notes: 'Faringitis aguda persistente' }),
  );
});

afterAll(async () => {
  await h?.close();
});

const search = (who: Staff, filter: Record<string, unknown>, extra = '') =>
  gql(h.url, `query ($f: VisitFilter) { visits(filter: $f${extra}) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, { f: filter }, { token: who.token });

async function ids(filter: Record<string, unknown>, who = doctor): Promise<string[]> {
  const r = await search(who, filter);
  expect(r.errors).toBeUndefined();
  const found = r.data!.visits.edges.map((e: any) => e.node.id as string);
  expect(r.data!.visits.totalCount).toBe(found.length);
  return found;
}

describe('what a search finds', () => {
  test('every word is a required word prefix, in reason, cancelReason, notes and diagnoses, ignoring case and accents', async () => {
    expect(await ids({ text: 'persist' })).toEqual([v.cancelled]); // reason
    expect(await ids({ text: 'reprogram' })).toEqual([v.cancelled]); // cancelReason
    expect(await ids({ text: 'eritema' })).toEqual([v.throat]); // notes
    expect(await ids({ text: 'FARINGEO' })).toEqual([v.throat]); // notes, "faríngeo"
    expect(await ids({ text: 'faring aguda' })).toEqual([v.throat]); // "aguda" only in a diagnosis description
    expect(await ids({ text: 'estreptococ' })).toEqual([v.strep]); // diagnosis description only
    expect(await ids({ text: 'faring' })).toEqual([v.strep, v.throat]); // newest first
    expect(await ids({ text: 'lumbalgia' })).toEqual([v.back]);
    expect(await ids({ text: 'J02' })).toEqual([v.strep, v.throat]); // diagnosis codes
    expect(await ids({ text: 'garganta faring' })).toEqual([v.throat]); // words in different parts
    expect(await ids({ text: 'garganta lumbalgia' })).toEqual([]); // every word is required
    expect(await ids({ text: 'ringitis' })).toEqual([]); // a prefix, not a substring
  });

  test('another clinic’s visits are never found; each clinic finds its own', async () => {
    expect(await ids({ text: 'faringitis aguda' })).toEqual([v.throat]);
    expect(await ids({ text: 'persistente' })).toEqual([v.cancelled]);
    expect(await ids({ text: 'faringitis aguda' }, doctorB)).toEqual([v.other]);
    expect(await ids({ text: 'lumbalgia' }, doctorB)).toEqual([]);
  });

  test('combined with patientId, doctorId, from/to, status, diagnosisCode, and paged', async () => {
    expect(await ids({ text: 'faring', patientId: p1 })).toEqual([v.throat]);
    expect(await ids({ text: 'faring', patientId: p2 })).toEqual([v.strep]);
    expect(await ids({ text: 'faring', doctorId: d1 })).toEqual([v.throat]);
    expect(await ids({ text: 'faring', doctorId: d2 })).toEqual([v.strep]);
    expect(await ids({ text: 'faring', from: '2026-11-15T00:00:00Z' })).toEqual([v.strep]);
    expect(await ids({ text: 'faring', to: '2026-11-15T00:00:00Z' })).toEqual([v.throat]);
    expect(await ids({ text: 'faring', from: '2026-11-11T00:00:00Z', to: '2026-11-15T00:00:00Z' })).toEqual([]);
    expect(await ids({ text: 'paciente', status: 'CANCELLED' })).toEqual([v.cancelled]);
    expect(await ids({ text: 'paciente', status: 'FINISHED' })).toEqual([v.back]);
    expect(await ids({ text: 'faring', diagnosisCode: 'J02.9' })).toEqual([v.throat]);
    expect(await ids({ text: 'faring', patientId: p1, doctorId: d2 })).toEqual([]);
    const first = await search(doctor, { text: 'faring' }, ', first: 1');
    expect(first.data!.visits).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { id: v.strep } }] });
    const second = await search(doctor, { text: 'faring' }, `, first: 1, after: "${first.data!.visits.pageInfo.endCursor}"`);
    expect(second.data!.visits).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false }, edges: [{ node: { id: v.throat } }] });
  });
});

describe('what a search refuses or ignores', () => {
  test('boolean-mode operators and punctuation are only separators: + - " * ( ) ~ < > @ are harmless', async () => {
    expect(await ids({ text: '+faring* -aguda' })).toEqual([v.throat]); // "-" does not exclude
    expect(await ids({ text: '"faringitis aguda"' })).toEqual([v.throat]);
    expect(await ids({ text: '(faring) ~aguda <garganta> @eritema' })).toEqual([v.throat]);
    expect(await ids({ text: 'faring*"' })).toEqual([v.strep, v.throat]);
    expect(await ids({ text: "faring')) OR 1=1 --" })).toEqual([v.strep, v.throat]); // "OR", "1" are too short: dropped
    expect(await ids({ text: 'faring @2' })).toEqual([v.strep, v.throat]);
    expect(await ids({ text: 'lumbalgia; DROP TABLE HistoricVisit' })).toEqual([]);
    expect(await ids({ text: 'lumbalgia' })).toEqual([v.back]);
  });

  test('a text with no word of 3+ letters (or only stopwords) is BAD_USER_INPUT naming filter.text; shorter words are dropped', async () => {
    for (const text of ['de la', 'J0 a', '+-"*()~<>@', '"""***+++---(((~~~<<<>>>@@@', '', '   ', 'the', 'x'.repeat(101)]) {
      const r = await search(doctor, { text });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(fieldPaths(r.errors![0]!)).toEqual(['filter.text']);
      expect(r.data).toBeNull();
    }
    const r = await search(doctor, { text: 'de la' });
    expect(r.errors![0]!.message).toMatch(/^filter\.text: .*at least one word of 3 or more letters/);
    expect(await ids({ text: 'de faring a' })).toEqual([v.strep, v.throat]); // "de", "a" dropped
    expect(await ids({ text: 'the faring' })).toEqual([v.strep, v.throat]); // a stopword dropped
  });

  test('without clinicult:medical:read the filter is FORBIDDEN and answers nothing', async () => {
    const r = await search(office, { text: 'faring aguda' });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data).toBeNull();
  });
});

test('the query: one MATCH … AGAINST in boolean mode on the FULLTEXT index, for the page and its count', () => {
  expect(textSearchQuery('  Faring  aguda, FARING; "de" (x) +tos* ')).toBe('+faring* +aguda* +tos*');
  expect(textSearchQuery('eritema_leve ñandú')).toBe('+eritema_leve* +ñandú*');
  expect(searchTextOf({ reason: 'Dolor', cancelReason: null, notes: 'Nota', diagnoses: [{ code: 'J02.9', description: 'Faringitis aguda' }, { code: 'R51' }] })).toBe(
    'Dolor\nNota\nJ02.9 Faringitis aguda\nR51',
  );
});

test('EXPLAIN: the page and the totalCount read the FULLTEXT index (the SQL Prisma sends, with its parameters)', async () => {
  const seen: Array<{ query: string; params: unknown[] }> = [];
  const db = new PrismaClient({ adapter: new PrismaMariaDb(h.database.url), log: [{ emit: 'event', level: 'query' }] });
  db.$on('query', (e) => seen.push({ query: e.query, params: JSON.parse(e.params) as unknown[] }));
  try {
    const page = await listVisits(db, clinicA, { filter: { text: 'faring aguda', doctorId: d1 } });
    expect(page.edges.map((e) => e.node.id)).toEqual([v.throat]);
    expect(await page.count()).toBe(1);
    const statements = seen.filter((s) => /MATCH/i.test(s.query));
    expect(statements).toHaveLength(2); // the page and the count
    for (const s of statements) {
      expect(s.query).toMatch(/MATCH\s*\(`?[\w`.]*searchText`?\)\s*AGAINST\s*\(\?\s+IN BOOLEAN MODE\)/i);
      expect(s.query).toMatch(/clinicId/);
      expect(s.query).not.toMatch(/LIKE/i);
      expect(s.params).toContain('+faring* +aguda*');
      const plan = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(`EXPLAIN ${s.query}`, ...s.params);
      const visitRow = plan.find((row) => row.key === 'HistoricVisit_searchText_idx');
      expect(visitRow).toMatchObject({ type: 'fulltext', key: 'HistoricVisit_searchText_idx' });
      expect(plan.filter((row) => row.type === 'ALL')).toEqual([]);
    }
  } finally {
    await db.$disconnect();
  }
});

test('the migration backfills searchText of visits archived before it (reason, cancelReason, notes, diagnoses)', async () => {
  const all = servicePaths('visits').migrationsDir;
  const names = (await readdir(all, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const mine = names.findIndex((n) => n.endsWith('_visit_search_text'));
  expect(mine).toBeGreaterThan(0);
  const before = await mkdtemp(path.join(os.tmpdir(), 'visits-migrations-'));
  const database = await createTestDatabase('visits', { migrate: false });
  try {
    for (const name of names.slice(0, mine)) await cp(path.join(all, name), path.join(before, name), { recursive: true });
    await migrate({ url: database.url, migrationsDir: before });
    const insert = (id: string, clinicId: string, reason: string, cancelReason: string | null, notes: string | null, diagnoses: string | null) =>
      mysqlQuery(
        database.url,
        `INSERT INTO HistoricVisit (id, clinicId, patientId, status, reason, cancelReason, checkedInBy, finishedBy, checkedInAt, finishedAt,
           localDate, timeZone, timeline, notes, diagnoses, version, snapshotVersion, snapshot)
         VALUES (?, ?, 'p', 'FINISHED', ?, ?, 'o', 'o', '2026-11-01 10:00:00', '2026-11-01 11:00:00', '2026-11-01', 'Europe/Madrid', '[]', ?, ?, 1, 1, '{}')`,
        [id, clinicId, reason, cancelReason, notes, diagnoses],
      );
    await insert('old-1', clinicA, 'Dolor de garganta', null, 'Eritema faríngeo', JSON.stringify([{ code: 'J02.9', description: 'Faringitis aguda' }, { code: 'R51', description: 'Cefalea "tensional"' }]));
    await insert('old-2', clinicA, 'Tos', 'Reprogramada', null, null);
    await insert('old-3', clinicB, 'Faringitis aguda', null, null, JSON.stringify([]));
    await migrate({ url: database.url, migrationsDir: all });
    const rows = await mysqlQuery<{ id: string; searchText: string }>(database.url, 'SELECT id, searchText FROM HistoricVisit ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['old-1', 'old-2', 'old-3']);
    expect(rows[1]!.searchText).toBe('Tos\nReprogramada');
    expect(rows[2]!.searchText).toBe('Faringitis aguda');
    for (const word of ['Dolor', 'garganta', 'Eritema', 'faríngeo', 'J02', 'R51', 'Faringitis', 'aguda', 'Cefalea', 'tensional']) {
      expect(rows[0]!.searchText).toContain(word);
    }
    const match = (clinicId: string, q: string) =>
      mysqlQuery<{ id: string }>(database.url, 'SELECT id FROM HistoricVisit WHERE clinicId = ? AND MATCH (searchText) AGAINST (? IN BOOLEAN MODE) ORDER BY id', [
        clinicId,
        q,
      ]);
    expect((await match(clinicA, textSearchQuery('faring aguda'))).map((r) => r.id)).toEqual(['old-1']);
    expect((await match(clinicA, textSearchQuery('tensional'))).map((r) => r.id)).toEqual(['old-1']);
    expect((await match(clinicA, textSearchQuery('reprogram'))).map((r) => r.id)).toEqual(['old-2']);
    expect((await match(clinicB, textSearchQuery('faring aguda'))).map((r) => r.id)).toEqual(['old-3']);
  } finally {
    await database.drop();
    await rm(before, { recursive: true, force: true });
  }
});
