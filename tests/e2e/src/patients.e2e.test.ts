import { codes } from '@clinicult/testing';
import { startPlatform, type Platform } from './platform.js';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform(); // the demo seed registers ~50 patients with visits in every state
});
afterAll(async () => {
  await platform?.stop();
});

describe('patients and the current visit through the gateway', () => {
  test('one query returns a patient, its current visit, and its nurse\'s and doctor\'s names from users', async () => {
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const queue = await platform.query(`{ queue(states: [WITH_DOCTOR, CHECKOUT]) { id patient { id } } }`, {}, doctor.token);
    expect(queue.errors).toBeUndefined();
    const patientId = queue.data!.queue[0].patient.id;
    const response = await platform.query(
      `query($id: ID!) {
        patient(id: $id) {
          givenName familyName allergies { substance }
          currentVisit {
            state reason
            nurse { displayName firstName lastName }
            doctor { displayName }
            timeline { from to by { displayName } }
          }
        }
      }`,
      { id: patientId },
      doctor.token,
    );
    expect(response.errors).toBeUndefined();
    const visit = response.data!.patient.currentVisit;
    expect(['WITH_DOCTOR', 'CHECKOUT']).toContain(visit.state);
    expect(visit.nurse.displayName).toBe('Nuria Vidal');
    expect(visit.doctor.displayName).toBe('Daniel Ortega');
    expect(visit.timeline.map((t: any) => t.to)).toEqual(expect.arrayContaining(['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR']));
    expect(visit.timeline.every((t: any) => typeof t.by.displayName === 'string')).toBe(true);
  });

  test('OFFICE sees demographics; medical fields are null with FORBIDDEN beside the data', async () => {
    const office = await platform.login('office@demo.clinicult.test');
    const response = await platform.query(`{ patients(first: 3) { edges { node { givenName allergies { substance } } } } }`, {}, office.token);
    expect(response.data!.patients.edges).toHaveLength(3);
    for (const edge of response.data!.patients.edges) {
      expect(edge.node.givenName).toBeTruthy();
      expect(edge.node.allergies).toBeNull();
    }
    expect(new Set(codes(response))).toEqual(new Set(['FORBIDDEN']));
    expect(response.errors!.every((e) => e.path?.includes('allergies'))).toBe(true);
  });

  test('the waiting-room board lists every current visit with its staff, in one request', async () => {
    const nurse = await platform.login('nurse@demo.clinicult.test');
    const response = await platform.query(
      `{ queue { id state stale checkedInAt patient { givenName familyName } nurse { displayName } doctor { displayName } } }`,
      {},
      nurse.token,
    );
    expect(response.errors).toBeUndefined();
    const states = new Set(response.data!.queue.map((v: any) => v.state));
    expect(states).toEqual(new Set(['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT']));
    const checkedIn = response.data!.queue.map((v: any) => v.checkedInAt);
    expect(checkedIn).toEqual([...checkedIn].sort());
  });

  test('operators get no patient rows', async () => {
    const operator = await platform.login(platform.demo.operator.email);
    const response = await platform.query(`{ patients(first: 1) { totalCount edges { node { givenName } } } }`, {}, operator.token);
    expect(response.data ?? null).toBeNull();
    expect(codes(response)).toEqual(['FORBIDDEN']);
  });
});

describe('query cost at the gateway counts page sizes, as literals or variables', () => {
  const PAGE = `query ($n: Int) { patients(first: $n) { totalCount edges { cursor node {
    id mrn givenName familyName birthDate gender phone email nationalId
    address { line1 city postalCode country } currentVisit { id state reason checkedInAt }
  } } } }`;
  const PAGE_OF_PAGES = `query ($n: Int, $h: Int) { patients(first: $n) { edges { node {
    id history(first: $h) { edges { node { id finishedAt reason diagnoses { code description } } } }
  } } } }`;

  test('a page of 100 patients passes; 100 patients × 100 visits each is refused before any subgraph works', async () => {
    const doctor = await platform.login('doctor@demo.clinicult.test');
    const page = await platform.query(PAGE, { n: 100 }, doctor.token);
    expect(page.errors).toBeUndefined();
    expect(page.data!.patients.edges.length).toBeGreaterThan(0);
    const costly = await platform.query(PAGE_OF_PAGES, { n: 100, h: 100 }, doctor.token);
    expect(codes(costly)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(costly.errors![0]!.message).toMatch(/cost limit of 50000 exceeded/i);
    expect(costly.data ?? null).toBeNull();
    // the same operation with small pages is fine
    expect((await platform.query(PAGE_OF_PAGES, { n: 5, h: 5 }, doctor.token)).errors).toBeUndefined();
  });
});
