import type { EventEnvelope } from '@clinicult/events';
import { MEDICAL_READ_ACTION, type AuditRecord } from '@clinicult/kit';
import { freePort, gql, personInput, startPrivateRedis } from '@clinicult/testing';
import { startAuth, type AuthUnderTest } from './auth.js';
import { auditEnvelopes, startHarness, type PatientsHarness, type Staff } from './patients.js';

/**
 * Redis down (a private redis-server, never the shared one): a doctor's medical read still answers,
 * its audit event waits in patients' own `event_outbox`, and once Redis is back the outbox relay
 * delivers it to the audit stream exactly once.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds (errors while Redis reconnects count as not yet). */
async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
    } catch {
      // not reachable yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

let privateRedis: Awaited<ReturnType<typeof startPrivateRedis>>;
let redisUp = false;
let auth: AuthUnderTest;
let h: PatientsHarness;
let doctor: Staff;
let clinicId: string;

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  redisUp = true;
  const authPort = await freePort();
  h = await startHarness({ redisUrl: privateRedis.url, authUrl: `http://127.0.0.1:${authPort}` });
  auth = await startAuth({ port: authPort, issuer: h.issuer });
  clinicId = await h.admin.createClinic('Outage Clinic', 'Europe/Madrid');
  doctor = await h.staff(clinicId, ['DOCTOR']);
});

afterAll(async () => {
  if (privateRedis && !redisUp) await privateRedis.restart();
  await h?.close();
  await privateRedis?.stop();
  await auth?.stop();
});

test('Redis stopped: a medical read answers, its event waits in the outbox and reaches the stream exactly once when Redis is back', async () => {
  const registered = await gql(
    h.url,
    'mutation ($i: RegisterPatientInput!) { registerPatient(input: $i) { id } }',
    { i: personInput({ bloodType: 'B+', allergies: [{ substance: 'Ibuprofeno', severity: 'MODERATE' }] }) },
    { token: doctor.token },
  );
  expect(registered.errors).toBeUndefined();
  const patientId = registered.data!.registerPatient.id as string;
  expect(await h.db.eventOutbox.count()).toBe(0); // Redis up: the register event went straight to the stream

  await privateRedis.stop();
  redisUp = false;
  await waitFor('patients to notice Redis is gone', async () => h.service.runtime.redis.status, (s) => s !== 'ready', 5000);

  const started = Date.now();
  const r = await gql(h.url, 'query ($id: ID!) { patient(id: $id) { id bloodType allergies { substance } } }', { id: patientId }, { token: doctor.token });
  expect(Date.now() - started).toBeLessThan(2500); // the read is never held up for long
  expect(r.errors).toBeUndefined();
  expect(r.data!.patient).toEqual({ id: patientId, bloodType: 'B+', allergies: [{ substance: 'Ibuprofeno' }] });
  expect(await auth.sessionChecks()).toBeGreaterThan(0); // the session was confirmed by the real auth, Redis being down

  const rows = await h.db.eventOutbox.findMany();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.stream).toBe(h.auditStream);
  const held = JSON.parse(rows[0]!.envelope) as EventEnvelope<AuditRecord>;
  expect(held.id).toBe(rows[0]!.eventId);
  expect(held.payload).toMatchObject({
    action: MEDICAL_READ_ACTION,
    patientId,
    clinicId,
    actorKind: 'staff',
    actorId: doctor.id,
    fields: ['allergies', 'bloodType'],
    service: 'patients',
    requestId: r.headers.get('x-request-id'),
  });

  await privateRedis.restart(); // empty: the stream holds only what the relay delivers
  redisUp = true;
  await waitFor('the outbox emptied', () => h.db.eventOutbox.count(), (n) => n === 0);
  const delivered = await waitFor('the event on the stream', () => auditEnvelopes(h), (events) => events.length > 0);
  expect(delivered).toHaveLength(1);
  expect(delivered[0]!.id).toBe(held.id);
  expect(delivered[0]!.payload).toEqual(held.payload);
  // later relay rounds send nothing again
  await sleep(1500);
  expect(await h.db.eventOutbox.count()).toBe(0);
  expect((await auditEnvelopes(h)).map((e) => e.id)).toEqual([held.id]);
});
