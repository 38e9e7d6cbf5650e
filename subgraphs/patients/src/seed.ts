/**
 * Demo data for patients, created through the GraphQL API (the gateway, or this subgraph) so the
 * same rules apply as for a person: the front desk (OFFICE) registers ~50 patients, a NURSE adds
 * medical history to some, and a few are walked through the visit so every state of the
 * waiting-room board is shown, plus a couple of finished and cancelled visits in the archive outbox.
 *
 * Idempotent: skipped when the clinic already has `count` patients or more; a person already
 * registered (same name and birth date) is recognised by the possible-duplicate check and left as
 * it is, and only patients registered by this run are checked in.
 */

export interface SeedDemoPatientsOptions {
  /** the gateway (or patients) URL; `/graphql` is added when missing */
  url: string;
  /** access tokens of the demo clinic's staff */
  tokens: { office: string; nurse: string; doctor: string };
  /** how many patients the clinic should have (default 50) */
  count?: number;
  log?: (message: string) => void;
}

export interface SeedDemoPatientsResult {
  skipped: boolean;
  registered: number;
  existing: number;
  /** visits left in each state, plus FINISHED / CANCELLED archived */
  visits: Record<string, number>;
}

class SeedError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

async function call<T>(endpoint: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  } | null;
  const first = body?.errors?.[0];
  if (first) throw new SeedError(first.message, String(first.extensions?.code ?? ''), first.extensions ?? {});
  if (!body?.data) throw new SeedError(`${endpoint} answered HTTP ${response.status} without data`);
  return body.data;
}

/** A small deterministic PRNG (mulberry32): the same demo people on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FEMALE = ['María', 'Carmen', 'Ana', 'Laura', 'Lucía', 'Isabel', 'Marta', 'Elena', 'Pilar', 'Sofía', 'Paula', 'Cristina', 'Rosa', 'Nuria', 'Inés', 'Alba'];
const MALE = ['Antonio', 'José', 'Manuel', 'Francisco', 'David', 'Javier', 'Daniel', 'Carlos', 'Miguel', 'Alejandro', 'Pablo', 'Sergio', 'Jorge', 'Luis', 'Álvaro', 'Rubén'];
const SURNAMES = [
  'García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz',
  'Hernández', 'Díaz', 'Moreno', 'Muñoz', 'Álvarez', 'Romero', 'Alonso', 'Gutiérrez', 'Navarro', 'Torres', 'Domínguez', 'Vázquez',
  'Ramos', 'Gil', 'Ramírez', 'Serrano', 'Blanco', 'Molina', 'Castro', 'Ortiz', 'Rubio', 'Marín', 'Sanz', 'Iglesias', 'Núñez', 'Medina',
];
const CITIES = [
  { city: 'Madrid', postalCode: '280', region: 'Madrid' },
  { city: 'Barcelona', postalCode: '080', region: 'Cataluña' },
  { city: 'Valencia', postalCode: '460', region: 'Comunidad Valenciana' },
  { city: 'Sevilla', postalCode: '410', region: 'Andalucía' },
  { city: 'Zaragoza', postalCode: '500', region: 'Aragón' },
];
const STREETS = ['Calle Mayor', 'Avenida de la Constitución', 'Calle del Sol', 'Paseo de la Castellana', 'Calle Real', 'Plaza de España'];
const ALLERGIES = [
  { substance: 'Penicilina', reaction: 'Urticaria', severity: 'MODERATE' },
  { substance: 'Ibuprofeno', reaction: 'Broncoespasmo', severity: 'SEVERE' },
  { substance: 'Frutos secos', reaction: 'Anafilaxia', severity: 'SEVERE' },
  { substance: 'Látex', reaction: 'Dermatitis de contacto', severity: 'MILD' },
  { substance: 'Polen de gramíneas', reaction: 'Rinitis', severity: 'MILD' },
];
const CONDITIONS = ['Hipertensión arterial', 'Diabetes mellitus tipo 2', 'Asma', 'Hipotiroidismo', 'EPOC', 'Dislipemia'];
const MEDICATIONS = ['Enalapril 10 mg', 'Metformina 850 mg', 'Salbutamol inhalador', 'Levotiroxina 50 mcg', 'Atorvastatina 20 mg'];
const BLOOD_TYPES = ['O+', 'A+', 'B+', 'AB+', 'O-', 'A-'];
const REASONS = ['Fiebre y tos', 'Dolor lumbar', 'Control de tensión', 'Dolor de garganta', 'Revisión anual', 'Cefalea', 'Dolor abdominal', 'Mareo'];
const DIAGNOSES = [
  { code: 'J06.9', description: 'Infección aguda de las vías respiratorias superiores' },
  { code: 'M54.5', description: 'Lumbalgia' },
  { code: 'I10', description: 'Hipertensión esencial' },
  { code: 'R51', description: 'Cefalea' },
];
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

interface DemoPerson {
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: 'MALE' | 'FEMALE';
  phone: string;
  email: string | null;
  nationalId: string;
  address: Record<string, string>;
  emergencyContact: { name: string; relationship: string; phone: string };
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function demoPeople(count: number): DemoPerson[] {
  const rnd = random(20261127);
  const people: DemoPerson[] = [];
  const seen = new Set<string>();
  while (people.length < count) {
    const gender = rnd() < 0.5 ? 'FEMALE' : 'MALE';
    const givenName = pick(rnd, gender === 'FEMALE' ? FEMALE : MALE);
    const familyName = `${pick(rnd, SURNAMES)} ${pick(rnd, SURNAMES)}`;
    const key = `${givenName} ${familyName}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // ages from newborn to ~90
    const year = 1936 + Math.floor(rnd() * 89);
    const birthDate = `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
    const number = 10_000_000 + Math.floor(rnd() * 89_999_999);
    const place = pick(rnd, CITIES);
    const phone = `+34 6${String(Math.floor(rnd() * 100)).padStart(2, '0')} ${String(Math.floor(rnd() * 1000)).padStart(3, '0')} ${String(Math.floor(rnd() * 1000)).padStart(3, '0')}`;
    people.push({
      givenName,
      familyName,
      birthDate,
      gender,
      phone,
      email: rnd() < 0.6 ? `${ascii(givenName)}.${ascii(familyName.split(' ')[0]!)}${people.length}@example.es` : null,
      nationalId: `${number}${DNI_LETTERS[number % 23]}`,
      address: {
        line1: `${pick(rnd, STREETS)}, ${1 + Math.floor(rnd() * 120)}`,
        city: place.city,
        postalCode: `${place.postalCode}${String(Math.floor(rnd() * 100)).padStart(2, '0')}`,
        region: place.region,
        country: 'ES',
      },
      emergencyContact: {
        name: `${pick(rnd, rnd() < 0.5 ? FEMALE : MALE)} ${familyName.split(' ')[0]}`,
        relationship: pick(rnd, ['Cónyuge', 'Hijo/a', 'Padre/Madre', 'Hermano/a']),
        phone: `+34 6${String(Math.floor(rnd() * 100)).padStart(2, '0')} ${String(Math.floor(rnd() * 1000)).padStart(3, '0')} ${String(Math.floor(rnd() * 1000)).padStart(3, '0')}`,
      },
    });
  }
  return people;
}

/** Where the first registered patients end up: index ranges → the last step of their visit. */
const VISIT_PLAN: Array<{ state: string; count: number }> = [
  { state: 'WAITING', count: 5 },
  { state: 'TRIAGE', count: 3 },
  { state: 'READY_FOR_DOCTOR', count: 3 },
  { state: 'WITH_DOCTOR', count: 2 },
  { state: 'CHECKOUT', count: 2 },
  { state: 'FINISHED', count: 2 },
  { state: 'CANCELLED', count: 1 },
];
const ORDER = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT', 'FINISHED'];

const VISIT = 'id version state';

export async function seedDemoPatients(options: SeedDemoPatientsOptions): Promise<SeedDemoPatientsResult> {
  const endpoint = options.url.endsWith('/graphql') ? options.url : `${options.url.replace(/\/+$/, '')}/graphql`;
  const { office, nurse, doctor } = options.tokens;
  const count = options.count ?? 50;
  const log = options.log ?? (() => undefined);
  const visits: Record<string, number> = {};

  const { patients } = await call<{ patients: { totalCount: number } }>(endpoint, office, '{ patients(first: 1) { totalCount } }');
  if (patients.totalCount >= count) {
    log(`patients: the clinic already has ${patients.totalCount} patients; nothing to seed`);
    return { skipped: true, registered: 0, existing: patients.totalCount, visits };
  }

  const rnd = random(7);
  const created: string[] = [];
  let existing = 0;
  for (const [i, person] of demoPeople(count).entries()) {
    try {
      const data = await call<{ registerPatient: { id: string } }>(
        endpoint,
        office,
        'mutation ($input: RegisterPatientInput!) { registerPatient(input: $input) { id } }',
        { input: person },
      );
      created.push(data.registerPatient.id);
    } catch (error) {
      if (error instanceof SeedError && error.extensions.reason === 'POSSIBLE_DUPLICATE') {
        existing += 1;
        continue;
      }
      throw error;
    }
    // a nurse records the medical history of some
    if (i % 3 === 0) {
      const medical: Record<string, unknown> = { bloodType: pick(rnd, BLOOD_TYPES) };
      if (i % 2 === 0) medical.allergies = [pick(rnd, ALLERGIES)];
      if (i % 4 === 0) {
        medical.chronicConditions = [pick(rnd, CONDITIONS)];
        medical.currentMedications = [pick(rnd, MEDICATIONS)];
      }
      await call(
        endpoint,
        nurse,
        'mutation ($id: ID!, $input: UpdatePatientInput!) { updatePatient(id: $id, input: $input) { id } }',
        { id: created.at(-1), input: medical },
      );
    }
  }
  log(`patients: registered ${created.length}, ${existing} already there`);

  let next = 0;
  for (const { state: target, count: howMany } of VISIT_PLAN) {
    for (let k = 0; k < howMany && next < created.length; k++) {
      const patientId = created[next++]!;
      await walkVisit(endpoint, { office, nurse, doctor }, patientId, target, rnd);
      visits[target] = (visits[target] ?? 0) + 1;
    }
  }
  log(`patients: visits ${Object.entries(visits).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  return { skipped: false, registered: created.length, existing, visits };
}

/** Checks a patient in and takes the visit to `target` through the real operations. */
async function walkVisit(
  endpoint: string,
  tokens: SeedDemoPatientsOptions['tokens'],
  patientId: string,
  target: string,
  rnd: () => number,
): Promise<void> {
  const { office, nurse, doctor } = tokens;
  const op = async (token: string, mutation: string, variables: Record<string, unknown>) => {
    const data = await call<Record<string, { id: string } | boolean>>(endpoint, token, mutation, variables);
    return Object.values(data)[0];
  };
  const visit = (await op(office, `mutation ($p: ID!, $r: String!) { checkIn(patientId: $p, reason: $r) { ${VISIT} } }`, {
    p: patientId,
    r: pick(rnd, REASONS),
  })) as { id: string };
  const v = { v: visit.id };
  if (target === 'CANCELLED') {
    await op(office, 'mutation ($v: ID!) { cancelVisit(visitId: $v, reason: "Se marchó antes de ser atendido") }', v);
    return;
  }
  const reach = (state: string) => ORDER.indexOf(target) >= ORDER.indexOf(state);
  if (!reach('TRIAGE')) return;
  await op(nurse, `mutation ($v: ID!) { startTriage(visitId: $v) { ${VISIT} } }`, v);
  await op(nurse, `mutation ($v: ID!, $x: VitalsInput!) { recordVitals(visitId: $v, vitals: $x) { ${VISIT} } }`, {
    ...v,
    x: {
      temperatureC: Math.round((36.2 + rnd() * 2.4) * 10) / 10,
      heartRate: 60 + Math.floor(rnd() * 40),
      systolic: 110 + Math.floor(rnd() * 40),
      diastolic: 65 + Math.floor(rnd() * 25),
      spo2: 94 + Math.floor(rnd() * 6),
    },
  });
  if (!reach('READY_FOR_DOCTOR')) return;
  await op(nurse, `mutation ($v: ID!) { sendToDoctor(visitId: $v) { ${VISIT} } }`, v);
  if (!reach('WITH_DOCTOR')) return;
  await op(doctor, `mutation ($v: ID!) { startConsultation(visitId: $v) { ${VISIT} } }`, v);
  const diagnosis = pick(rnd, DIAGNOSES);
  await op(doctor, `mutation ($v: ID!, $i: ConsultationInput!) { recordConsultation(visitId: $v, input: $i) { ${VISIT} } }`, {
    ...v,
    i: {
      notes: `Paciente consulta por ${diagnosis.description.toLowerCase()}. Exploración sin hallazgos de alarma.`,
      diagnoses: [diagnosis],
      prescriptions: [{ drug: 'Paracetamol', dose: '1 g', route: 'oral', frequency: 'cada 8 horas', durationDays: 5 }],
    },
  });
  if (!reach('CHECKOUT')) return;
  await op(doctor, `mutation ($v: ID!) { completeConsultation(visitId: $v) { ${VISIT} } }`, v);
  if (!reach('FINISHED')) return;
  await op(office, 'mutation ($v: ID!) { finishVisit(visitId: $v) }', v);
}
