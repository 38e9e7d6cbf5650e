import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { mysqlQuery } from '@clinicult/db';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import { createArchiveRelay, type ArchiveRelay, type ArchiveRelayOptions } from '@clinicult/patients-service';
import { ok, visitIn, type Team } from '@clinicult/testing';
import {
  freePort,
  prepareRealVisits,
  startHarness,
  type PatientsHarness,
  type VisitsUnderTest,
} from './patients.js';

/** A row the relay claimed, as its hooks see it. */
type ClaimedRow = Parameters<NonNullable<NonNullable<ArchiveRelayOptions['hooks']>['afterAcknowledged']>>[0];

/**
 * The archive relay against the REAL visits service (subgraphs/visits, in-process on its own
 * database and a port reserved before it exists), patients driven through its HTTP API:
 * the fault test ("Archive, exactly once"). visits is a devDependency of this package.
 */
const withVisits = test;

let h: PatientsHarness;
let visits: VisitsUnderTest | null = null;
let visitsUrl: string;
let clinic: string;
let team: Team;
/** every visit finished or cancelled in this file, in order */
const finished: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  visitsUrl = `http://127.0.0.1:${port}`;
  h = await startHarness({
    env: {
      ARCHIVE_RELAY_ENABLED: 'true',
      VISITS_URL: visitsUrl,
      ARCHIVE_RELAY_INTERVAL_MS: '50',
      ARCHIVE_RELAY_BASE_BACKOFF_MS: '50',
      ARCHIVE_RELAY_MAX_BACKOFF_MS: '300',
      ARCHIVE_RELAY_BATCH_SIZE: '20',
    },
  });
  visits = await prepareRealVisits(h.issuer, port);
  clinic = await h.admin.createClinic('Archive Clinic', 'America/Mexico_City');
  team = {
    office: await h.staff(clinic, ['OFFICE']),
    nurse: await h.staff(clinic, ['NURSE']),
    doctor: await h.staff(clinic, ['DOCTOR']),
  };
});

afterAll(async () => {
  await h?.close();
  await visits?.close();
});

// ---------------------------------------------------------------------------------------------
// helpers

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** n visits finished (every 5th cancelled instead) through patients’ API, 25 at a time. */
async function finishVisits(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 25) {
    const chunk = Array.from({ length: Math.min(25, n - start) }, async (_, k) => {
      const cancel = (start + k) % 5 === 4;
      const { visitId } = await visitIn(h, team, cancel ? 'WAITING' : 'CHECKOUT');
      if (cancel) await ok(h, team.office, 'mutation ($v: ID!) { cancelVisit(visitId: $v, reason: "Se fue") }', { v: visitId });
      else await ok(h, team.office, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', { v: visitId });
      return visitId;
    });
    ids.push(...(await Promise.all(chunk)));
  }
  finished.push(...ids);
  return ids;
}

const outboxRows = (ids: readonly string[]) => h.db.archiveOutbox.findMany({ where: { visitId: { in: [...ids] } } });
const undelivered = () => h.db.archiveOutbox.count({ where: { deliveredAt: null } });

/** The visit ids stored in visits' database, one entry per row. */
async function archivedRows(): Promise<string[]> {
  const rows = await mysqlQuery<{ id: string }>(visits!.databaseUrl, 'SELECT id FROM HistoricVisit');
  return rows.map((r) => r.id);
}

/** Every visit finished so far is in visits exactly once, and nothing else is. */
async function expectArchivedExactlyOnce(ids: readonly string[]): Promise<void> {
  const rows = await archivedRows();
  expect(rows).toHaveLength(ids.length);
  expect(new Set(rows).size).toBe(rows.length);
  expect([...rows].sort()).toEqual([...ids].sort());
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`metric ${name} is not registered`);
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return hit?.value ?? 0;
}

const serviceRegistry = () => h.service.runtime.metrics.registry;

/** A relay of its own (another replica, or the process restarted), on a private registry. */
function relay(options: Partial<ArchiveRelayOptions> = {}): ArchiveRelay {
  return createArchiveRelay({
    db: h.db,
    visitsUrl,
    tokens: { token: () => h.issuer.serviceToken('patients', [SERVICE_CAPABILITIES.visitsArchive]) },
    logger: h.service.runtime.logger,
    registry: new Registry(),
    intervalMs: 20,
    baseBackoffMs: 20,
    maxBackoffMs: 200,
    timeoutMs: 1000,
    leaseMs: 5000,
    ...options,
  });
}

// ---------------------------------------------------------------------------------------------

test('with visits stopped, 100 finished/cancelled visits wait in the outbox; the relay retries and delivers nothing', async () => {
  const ids = await finishVisits(100);

  const rows = await outboxRows(ids);
  expect(rows).toHaveLength(100);
  expect(rows.every((r) => r.deliveredAt === null)).toBe(true);
  expect(await h.db.currentVisit.count({ where: { clinicId: clinic } })).toBe(0);

  // the service's relay kept trying meanwhile: failures recorded on the rows, with a backoff
  await waitFor(async () => (await metric(serviceRegistry(), 'archive_deliveries_total', { outcome: 'failed' })) > 0, 5000, 'a failed try');
  const tried = (await outboxRows(ids)).filter((r) => r.attempts > 0);
  expect(tried.length).toBeGreaterThan(0);
  for (const r of tried) {
    expect(r.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    expect(r.nextAttemptAt).not.toBeNull();
    expect(r.refusals).toBe(0);
    expect(r.parkedAt).toBeNull();
  }
  expect((await outboxRows(ids)).every((r) => r.deliveredAt === null)).toBe(true);

  expect(await metric(serviceRegistry(), 'archive_outbox_backlog')).toBe(100);
  expect(await metric(serviceRegistry(), 'archive_outbox_oldest_age_seconds')).toBeGreaterThan(0);
  expect(await metric(serviceRegistry(), 'archive_deliveries_total', { outcome: 'delivered' })).toBe(0);
  expect(h.logs.some((l) => l.level === 40 && /could not deliver to visits/.test(l.msg))).toBe(true);
  // 100 whole visits through the real API: generous for a loaded CI machine (this is not a timing check)
}, 120_000);

withVisits('visits starts: every visit is archived exactly once and every outbox row is delivered', async () => {
  await visits!.start();
  await waitFor(async () => (await undelivered()) === 0, 20_000, 'the outbox to drain');

  await expectArchivedExactlyOnce(finished);
  const rows = await outboxRows(finished);
  expect(rows.every((r) => r.deliveredAt !== null && r.claimedBy === null)).toBe(true);
  expect(await h.db.currentVisit.count({ where: { clinicId: clinic } })).toBe(0);

  expect(await metric(serviceRegistry(), 'archive_outbox_backlog')).toBe(0);
  expect(await metric(serviceRegistry(), 'archive_outbox_oldest_age_seconds')).toBe(0);
  expect(await metric(serviceRegistry(), 'archive_deliveries_total', { outcome: 'delivered' })).toBe(100);
  expect(await metric(serviceRegistry(), 'archive_deliveries_total', { outcome: 'duplicate' })).toBe(0);
});

withVisits('replaying every delivery (deliveredAt reset) creates no duplicates', async () => {
  const before = await mysqlQuery<{ id: string; archivedAt: Date }>(visits!.databaseUrl, 'SELECT id, archivedAt FROM HistoricVisit ORDER BY id');
  await h.db.archiveOutbox.updateMany({ data: { deliveredAt: null } });
  expect(await undelivered()).toBe(100);

  await waitFor(async () => (await undelivered()) === 0, 20_000, 'the replay to drain');

  await expectArchivedExactlyOnce(finished);
  // nothing in visits changed: the replay was answered `duplicate: true` each time
  expect(await mysqlQuery(visits!.databaseUrl, 'SELECT id, archivedAt FROM HistoricVisit ORDER BY id')).toEqual(before);
  expect(await metric(serviceRegistry(), 'archive_deliveries_total', { outcome: 'duplicate' })).toBe(100);
  expect(await metric(serviceRegistry(), 'archive_deliveries_total', { outcome: 'delivered' })).toBe(100);
});

withVisits('a relay killed between visits’ answer and the mark loses nothing and duplicates nothing; its claim blocks others until the lease ends', async () => {
  await h.service.archiveRelay!.stop();
  const ids = await finishVisits(30);

  // relay A works a batch of 20, 4 calls at a time, and its process "dies" once visits has
  // acknowledged a 5th row: from then on every acknowledgement is frozen before its mark
  let acks = 0;
  const frozen: string[] = [];
  const leaseMs = 1500;
  const a = relay({
    batchSize: 20,
    concurrency: 4,
    leaseMs,
    timeoutMs: 500,
    hooks: {
      async afterAcknowledged(row) {
        acks += 1;
        if (acks >= 5) {
          frozen.push(row.visitId);
          await new Promise(() => undefined); // never returns: the process is gone
        }
      },
    },
  });
  void a.drain();
  await waitFor(async () => frozen.length === 4, 5000, 'relay A to freeze with 4 calls acknowledged and unmarked');

  let rows = await outboxRows(ids);
  expect(rows.filter((r) => r.deliveredAt !== null)).toHaveLength(4);
  const heldByA = rows.filter((r) => r.deliveredAt === null && r.claimedBy === a.instanceId).map((r) => r.visitId);
  expect(heldByA).toHaveLength(16); // 4 acknowledged-but-unmarked rows and the 12 it never reached
  expect(heldByA).toEqual(expect.arrayContaining(frozen));
  const inVisits = await archivedRows();
  for (const id of frozen) expect(inVisits.filter((x) => x === id)).toHaveLength(1);

  // relay B (another replica, or A's process restarted) takes only what A does not hold
  const calls: string[] = [];
  const b = relay({ batchSize: 20, concurrency: 4, leaseMs, timeoutMs: 500, hooks: { afterAcknowledged: (row) => void calls.push(row.visitId) } });
  const first = await b.drain();
  expect(first).toMatchObject({ delivered: 10, duplicates: 0, failed: 0 });
  expect(calls.filter((id) => heldByA.includes(id))).toEqual([]);

  // once A's lease has run out, B takes A's rows: the 4 that visits already had come back as duplicates
  await sleep(leaseMs + 100);
  const second = await b.drain();
  expect(second).toMatchObject({ delivered: 16, duplicates: 4, failed: 0 });
  expect(new Set(calls).size).toBe(26);
  expect(calls).toEqual(expect.arrayContaining(frozen));

  rows = await outboxRows(ids);
  expect(rows.every((r) => r.deliveredAt !== null)).toBe(true);
  await expectArchivedExactlyOnce(finished);
});

withVisits('two relays working the outbox at once never deliver the same row twice', async () => {
  const ids = await finishVisits(40);
  const calls = new Map<string, number>();
  const hooks = { afterAcknowledged: (row: ClaimedRow) => void calls.set(row.visitId, (calls.get(row.visitId) ?? 0) + 1) };
  const c = relay({ batchSize: 5, hooks });
  const d = relay({ batchSize: 5, hooks });

  const [rc, rd] = await Promise.all([c.drain(), d.drain()]);

  expect(rc.delivered + rd.delivered).toBe(40);
  expect(rc.delivered).toBeGreaterThan(0); // both really worked the outbox at the same time
  expect(rd.delivered).toBeGreaterThan(0);
  expect(rc.duplicates + rd.duplicates).toBe(0);
  expect(calls.size).toBe(40);
  expect([...calls.values()].every((n) => n === 1)).toBe(true);
  expect((await outboxRows(ids)).every((r) => r.deliveredAt !== null)).toBe(true);
  await expectArchivedExactlyOnce(finished);
});

withVisits('poison rows (refused by visits, or unreadable) are parked after N tries, loudly, without blocking the rows behind them', async () => {
  await h.service.archiveRelay?.stop();
  const otherClinic = randomUUID();
  const old = new Date(Date.now() - 60_000); // older than anything else: first in line
  const [good] = await finishVisits(1);
  const template = JSON.parse((await h.db.archiveOutbox.findUniqueOrThrow({ where: { visitId: good! } })).snapshot) as Record<string, unknown>;
  const poison = {
    otherClinic: randomUUID(), // a snapshot of another clinic than the row's → FORBIDDEN
    invalid: randomUUID(), // not a valid snapshot → BAD_USER_INPUT
    unreadable: randomUUID(), // not JSON at all (never sent)
  };
  const row = (visitId: string, snapshot: string) => ({ visitId, clinicId: clinic, patientId: randomUUID(), snapshot, createdAt: old });
  await h.db.archiveOutbox.createMany({
    data: [
      row(poison.otherClinic, JSON.stringify({ ...template, visitId: poison.otherClinic, clinicId: otherClinic })),
      row(poison.invalid, JSON.stringify({ snapshotVersion: 1, visitId: poison.invalid, clinicId: clinic, status: 'LOST' })),
      row(poison.unreadable, '{"visitId": '),
    ],
  });

  const registry = new Registry();
  const e = relay({ maxRefusals: 3, baseBackoffMs: 1, maxBackoffMs: 5, registry });
  const first = await e.drain();
  expect(first.refused).toBe(3);
  expect(first.delivered).toBe(1); // the good row went through behind the poison
  for (let i = 0; i < 20 && (await e.stats()).parked < 3; i++) {
    await sleep(10);
    await e.drain();
  }

  const rows = await outboxRows(Object.values(poison));
  expect(rows).toHaveLength(3);
  for (const r of rows) {
    expect(r).toMatchObject({ deliveredAt: null, attempts: 3, refusals: 3, claimedBy: null });
    expect(r.parkedAt).not.toBeNull();
  }
  const byId = new Map(rows.map((r) => [r.visitId, r]));
  expect(byId.get(poison.otherClinic)!.lastError).toMatch(/^FORBIDDEN/);
  expect(byId.get(poison.invalid)!.lastError).toMatch(/^BAD_USER_INPUT/);
  expect(byId.get(poison.unreadable)!.lastError).toMatch(/not JSON/);
  expect(await metric(registry, 'archive_deliveries_total', { outcome: 'parked' })).toBe(3);
  expect(await metric(registry, 'archive_deliveries_total', { outcome: 'refused' })).toBe(6);
  expect(await metric(registry, 'archive_outbox_parked')).toBe(3);
  expect(await metric(registry, 'archive_outbox_backlog')).toBe(3);
  const parkedLogs = h.logs.filter((l) => l.level === 50 && /ARCHIVE OUTBOX ROW PARKED/.test(l.msg));
  expect(parkedLogs.map((l) => l.visitId).sort()).toEqual(Object.values(poison).sort());

  // parked rows are not tried again…
  const after = await e.drain();
  expect(after).toMatchObject({ delivered: 0, refused: 0, parked: 0 });
  // …until an operator requeues them
  expect(await e.requeueParked([poison.invalid])).toBe(1);
  expect(await h.db.archiveOutbox.findUniqueOrThrow({ where: { visitId: poison.invalid } })).toMatchObject({ parkedAt: null, refusals: 0 });
  expect((await e.stats()).parked).toBe(2);
  await expectArchivedExactlyOnce(finished);
  await h.db.archiveOutbox.deleteMany({ where: { visitId: { in: Object.values(poison) } } });
});

test('delivered rows are deleted after the retention period; undelivered rows never', async () => {
  await h.service.archiveRelay?.stop();
  const day = 24 * 3600 * 1000;
  const ids = { oldDelivered: randomUUID(), recentDelivered: randomUUID(), oldUndelivered: randomUUID() };
  const row = (visitId: string, ageMs: number, delivered: boolean) => ({
    visitId,
    clinicId: clinic,
    patientId: randomUUID(),
    snapshot: '{}',
    createdAt: new Date(Date.now() - ageMs),
    deliveredAt: delivered ? new Date(Date.now() - ageMs + 1000) : null,
  });
  await h.db.archiveOutbox.createMany({
    data: [row(ids.oldDelivered, 8 * day, true), row(ids.recentDelivered, 6 * day, true), row(ids.oldUndelivered, 30 * day, false)],
  });

  const deleted = await relay({ retentionMs: 7 * day }).purge();

  expect(deleted).toBeGreaterThanOrEqual(1);
  const left = (await outboxRows(Object.values(ids))).map((r) => r.visitId).sort();
  expect(left).toEqual([ids.recentDelivered, ids.oldUndelivered].sort());
  // the rows of this file's visits (delivered minutes ago) are kept too
  expect(await h.db.archiveOutbox.count({ where: { visitId: { in: finished } } })).toBe(finished.length);
  await h.db.archiveOutbox.deleteMany({ where: { visitId: { in: Object.values(ids) } } });
});

test('the relay is off when ARCHIVE_RELAY_ENABLED=false (the harness default)', async () => {
  const other = await startHarness();
  try {
    expect(other.service.archiveRelay).toBeNull();
    expect(other.service.runtime.metrics.registry.getSingleMetric('archive_outbox_backlog')).toBeUndefined();
  } finally {
    await other.close();
  }
});
