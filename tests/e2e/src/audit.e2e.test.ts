import { codes } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const AUDIT_LOG = `query($p: ID, $u: ID) {
  auditLog(patientId: $p, userId: $u, first: 50) { totalCount edges { node { action api fields actor { id displayName } patient { id } } } }
}`;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a doctor reading a patient\'s medical data produces exactly one audit event that ADMIN finds', async () => {
  const doctor = await platform.login('doctor@demo.clinicult.test');
  const admin = await platform.login(platform.demo.admin.email);
  const list = await platform.query(`{ patients(first: 1) { edges { node { id } } } }`, {}, admin.token);
  const patientId = list.data!.patients.edges[0].node.id;
  const read = await platform.query(
    `query($id: ID!) { patient(id: $id) { givenName allergies { substance } chronicConditions bloodType } }`,
    { id: patientId },
    doctor.token,
  );
  expect(read.errors).toBeUndefined();

  const isMedicalRead = (n: any) => n.action === 'patient.read.medical' && n.actor?.id === doctor.userId;
  const log = await eventually(
    () => platform.query(AUDIT_LOG, { p: patientId }, admin.token),
    (r) => (r.data?.auditLog.edges ?? []).some((e: any) => isMedicalRead(e.node)),
  );
  expect(log.errors).toBeUndefined();
  // "exactly one": a second event would come later through the relay (every 1 s), so read again after it
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const settled = await platform.query(AUDIT_LOG, { p: patientId }, admin.token);
  const reads = settled.data!.auditLog.edges.map((e: any) => e.node).filter(isMedicalRead);
  expect(reads).toHaveLength(1);
  expect(reads[0]).toMatchObject({
    api: 'GRAPHQL',
    fields: ['allergies', 'bloodType', 'chronicConditions'],
    actor: { id: doctor.userId, displayName: 'Daniel Ortega' },
    patient: { id: patientId },
  });
});

test('a role change is an audit event about that user; only ADMIN reads the trail', async () => {
  const admin = await platform.login(platform.demo.admin.email);
  const nurse = await platform.login('nurse@demo.clinicult.test');
  const doctor = await platform.login('doctor@demo.clinicult.test');
  expect((await platform.query(`mutation($u: ID!) { setMembership(userId: $u, roles: [NURSE, OFFICE]) { id } }`, { u: nurse.userId }, admin.token)).errors).toBeUndefined();
  // (the nurse's trail holds her sign-ins and the demo's visits too: wait for the role change itself)
  const log = await eventually(
    () => platform.query(AUDIT_LOG, { u: nurse.userId }, admin.token),
    (r) => (r.data?.auditLog.edges ?? []).some((e: any) => /membership|role/.test(e.node.action)),
  );
  expect(log.data!.auditLog.edges.map((e: any) => e.node.action).join(' ')).toMatch(/membership|role/);
  expect(codes(await platform.query(AUDIT_LOG, { u: nurse.userId }, doctor.token))).toEqual(['FORBIDDEN']);
});
