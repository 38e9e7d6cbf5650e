import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { migrate, openConnection, servicePaths } from '@clinicult/db';
import { searchTextOf } from '../domain/search.js';
import { SNAPSHOT_VERSION } from '../domain/snapshot.js';

/**
 * The historic-visit generator (issue 4, "Seed and bench"): fills N finished and cancelled visits
 * of one clinic over many patients straight into a visits database, with multi-row INSERTs in
 * batches (one transaction per batch), for benchmarks and demos. `scripts/seed-visits.mjs` is its
 * command line (progress bar); the benchmark (`bench/history.mjs`) and a test call it too.
 *
 * Rows look like what `archiveVisit` stores from patients' snapshots (the same columns, the same
 * JSON, the snapshot text, the full-text `searchText`, `VisitDiagnosis` rows per distinct ICD-10 code, a few addenda), so the
 * real service answers them. Distributions:
 * - visits per patient are skewed (log-normal weights: many patients with a few visits, some with
 *   dozens), mean `count / patients`; each patient's visits spread over the last `years` years;
 * - check-ins on weekdays (a few on Saturdays) between 08:00 and 19:30 clinic time; `localDate` is
 *   the check-in date in the clinic's zone (computed here with Intl, as the service does);
 * - ~8% cancelled (in WAITING, TRIAGE or READY_FOR_DOCTOR, with a reason, no doctor), the rest
 *   finished with a timeline through every state and plausible minutes in each;
 * - vitals (15% febrile), 1..3 ICD-10 diagnoses from a Zipf-weighted list of common codes,
 *   0..2 prescriptions, notes, intake/note answers; ~1% of finished visits have an addendum.
 *
 * Appending: every run adds new visits (new ids) for new patients (`patients` of them) of the clinic,
 * so running it again grows the database (10k → 100k → 1M) without touching what is there. Staff
 * ids are derived from the clinic id, so every run of a clinic shares the same doctors and nurses.
 * Visit ids are time-ordered UUIDs (version 7 layout) so the primary key grows at its end, which
 * keeps 1M inserts fast; patients' own visit ids are random v4, which the service treats the same.
 */
export interface SeedOptions {
  /** the visits database (created and migrated when `migrate` is true) */
  url: string;
  clinicId: string;
  /** visits to add */
  count: number;
  /** new patients to spread them over (default count / 20, at least 1) */
  patients?: number;
  /** the clinic's IANA zone (default Europe/Madrid) */
  timeZone?: string;
  /** how far back visits go (default 5 years before `now`) */
  years?: number;
  /** rows per INSERT (default 1000) */
  batchSize?: number;
  /** batches in flight at once, each on its own connection (default 2) */
  concurrency?: number;
  /** apply prisma/visits/migrations first (default true) */
  migrate?: boolean;
  /** the random seed of the distributions (ids are always fresh) */
  seed?: number;
  /** the newest possible finish (default now) */
  now?: Date;
  /**
   * The clinic's real staff (user ids), so that the visits' nurse, doctor and clerk resolve to
   * people in users; default: stable made-up ids (a visits-only benchmark never looks them up).
   */
  staff?: { doctors: string[]; nurses: string[]; office: string[] };
  /** called after each committed batch with the visits written so far */
  onProgress?: (written: number, total: number) => void;
}

export interface SeedResult {
  clinicId: string;
  visits: number;
  patients: number;
  diagnoses: number;
  addenda: number;
  /** the patient ids this run created */
  patientIds: string[];
  millis: number;
}

// ---------------------------------------------------------------------------------------------
// Random helpers (a seeded PRNG so runs are reproducible; ids come from crypto)

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A list whose i-th item is drawn with weight 1/(i+1) (Zipf): a few codes are very common. */
function zipfPicker<T>(items: readonly T[]): (rng: Rng) => T {
  const cumulative: number[] = [];
  let sum = 0;
  items.forEach((_, i) => cumulative.push((sum += 1 / (i + 1))));
  return (rng) => {
    const x = rng() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}

/** A UUID with the version 7 layout: 48 bits of milliseconds, then random (monotonic within a run). */
function uuidv7Factory(): () => string {
  let lastMs = 0;
  let seq = 0;
  return () => {
    let ms = Date.now();
    if (ms <= lastMs) {
      seq += 1;
      ms = lastMs;
    } else {
      seq = 0;
      lastMs = ms;
    }
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    // 12 bits of sequence in rand_a keep ids made in the same millisecond in order
    bytes[6] = 0x70 | ((seq >> 8) & 0x0f);
    bytes[7] = seq & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** A stable id for a member of the clinic's staff (the same in every run for that clinic). */
function staffId(clinicId: string, role: string, i: number): string {
  const hex = createHash('sha256').update(`${clinicId}:${role}:${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// What clinics see

const DIAGNOSES = [
  ['J06.9', 'Infección aguda de las vías respiratorias superiores'],
  ['I10', 'Hipertensión esencial'],
  ['E11.9', 'Diabetes mellitus tipo 2 sin complicaciones'],
  ['M54.5', 'Lumbalgia'],
  ['J02.9', 'Faringitis aguda'],
  ['K21.9', 'Enfermedad por reflujo gastroesofágico'],
  ['E78.5', 'Hiperlipidemia'],
  ['N39.0', 'Infección de vías urinarias'],
  ['J20.9', 'Bronquitis aguda'],
  ['F41.1', 'Trastorno de ansiedad generalizada'],
  ['R51', 'Cefalea'],
  ['G44.2', 'Cefalea tensional'],
  ['A09', 'Gastroenteritis infecciosa'],
  ['J45.9', 'Asma'],
  ['L30.9', 'Dermatitis'],
  ['H66.9', 'Otitis media'],
  ['M25.5', 'Dolor articular'],
  ['R05', 'Tos'],
  ['F32.9', 'Episodio depresivo'],
  ['E03.9', 'Hipotiroidismo'],
  ['K59.0', 'Estreñimiento'],
  ['J30.4', 'Rinitis alérgica'],
  ['B34.9', 'Infección viral'],
  ['M79.1', 'Mialgia'],
  ['R10.4', 'Dolor abdominal'],
  ['S93.4', 'Esguince de tobillo'],
  ['Z00.0', 'Examen médico general'],
  ['I48', 'Fibrilación auricular'],
  ['N30.0', 'Cistitis aguda'],
  ['H10.9', 'Conjuntivitis'],
] as const;

const PRESCRIPTIONS = [
  { drug: 'Paracetamol', dose: '1 g', route: 'oral', frequency: 'cada 8 h', durationDays: 5 },
  { drug: 'Ibuprofeno', dose: '600 mg', route: 'oral', frequency: 'cada 8 h', durationDays: 5 },
  { drug: 'Amoxicilina', dose: '500 mg', route: 'oral', frequency: 'cada 8 h', durationDays: 7 },
  { drug: 'Omeprazol', dose: '20 mg', route: 'oral', frequency: 'cada 24 h', durationDays: 28 },
  { drug: 'Enalapril', dose: '10 mg', route: 'oral', frequency: 'cada 24 h', durationDays: 90 },
  { drug: 'Metformina', dose: '850 mg', route: 'oral', frequency: 'cada 12 h', durationDays: 90 },
  { drug: 'Atorvastatina', dose: '20 mg', route: 'oral', frequency: 'cada 24 h', durationDays: 90 },
  { drug: 'Salbutamol', dose: '100 mcg', route: 'inhalada', frequency: 'a demanda', durationDays: null },
  { drug: 'Loratadina', dose: '10 mg', route: 'oral', frequency: 'cada 24 h', durationDays: 14 },
  { drug: 'Fosfomicina', dose: '3 g', route: 'oral', frequency: 'dosis única', durationDays: 1 },
] as const;

const REASONS = [
  'Fiebre y dolor de garganta', 'Control de tensión arterial', 'Dolor lumbar', 'Tos persistente', 'Revisión de analítica',
  'Dolor de cabeza', 'Renovación de receta', 'Dolor abdominal', 'Control de diabetes', 'Molestias al orinar',
  'Erupción cutánea', 'Dolor de oído', 'Ansiedad', 'Torcedura de tobillo', 'Revisión anual',
] as const;

const CANCEL_REASONS = ['El paciente se marchó', 'No se presentó a triaje', 'Cita duplicada', 'Reprogramada por el paciente'] as const;
const NOTE_OPENINGS = ['Paciente refiere', 'Acude por', 'Consulta por', 'Control de'] as const;
const NOTE_FINDINGS = ['exploración sin hallazgos relevantes', 'buen estado general', 'leve eritema faríngeo', 'dolor a la palpación', 'auscultación normal'] as const;
const NOTE_PLANS = ['Se pauta tratamiento y revisión en 7 días.', 'Reposo relativo e hidratación.', 'Se solicita analítica de control.', 'Volver si empeora.'] as const;

const pickDiagnosis = zipfPicker(DIAGNOSES);
const pickPrescription = zipfPicker(PRESCRIPTIONS);
const pickReason = zipfPicker(REASONS);

// ---------------------------------------------------------------------------------------------
// Clinic-local time (no time-zone tables in SQL: Intl, as the service does)

function zoneClock(timeZone: string) {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  /** the zone's offset from UTC at an instant, in minutes */
  const offsetAt = (ms: number) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  };
  const offsets = new Map<number, number>();
  /** the UTC instant of a clinic-local day (days since the epoch) at `minutes` past midnight (DST moves at night) */
  return (day: number, minutes: number) => {
    let offset = offsets.get(day);
    if (offset === undefined) {
      offset = offsetAt(day * 86_400_000 + 12 * 3_600_000);
      offsets.set(day, offset);
    }
    return day * 86_400_000 + (minutes - offset) * 60_000;
  };
}

// ---------------------------------------------------------------------------------------------
// Rows

const VISIT_COLUMNS = [
  'id', 'clinicId', 'patientId', 'status', 'reason', 'cancelReason', 'templateId', 'checkedInBy', 'nurseId', 'doctorId', 'finishedBy',
  'checkedInAt', 'finishedAt', 'localDate', 'timeZone', 'timeline', 'vitals', 'intakeAnswers', 'notes', 'diagnoses', 'prescriptions',
  'templateAnswers', 'template', 'version', 'snapshotVersion', 'snapshot', 'archivedAt', 'searchText',
] as const;

interface Batch {
  visits: unknown[][];
  diagnoses: unknown[][];
  addenda: unknown[][];
}

const STATES = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;

function createRowMaker(options: { clinicId: string; timeZone: string; years: number; now: Date; rng: Rng; staff?: SeedOptions['staff'] }) {
  const { clinicId, timeZone, rng } = options;
  const madeUp = (role: string, n: number) => Array.from({ length: n }, (_, i) => staffId(clinicId, role, i));
  const doctors = options.staff?.doctors.length ? options.staff.doctors : madeUp('doctor', 8);
  const nurses = options.staff?.nurses.length ? options.staff.nurses : madeUp('nurse', 10);
  const office = options.staff?.office.length ? options.staff.office : madeUp('office', 5);
  const utcOf = zoneClock(timeZone);
  const lastDay = Math.floor(options.now.getTime() / 86_400_000) - 1;
  const spanDays = Math.max(1, Math.round(options.years * 365));
  const newId = uuidv7Factory();
  const iso = (ms: number) => new Date(ms).toISOString();

  /** A clinic-local working day (Mon-Fri, some Saturdays) in the span. */
  function workingDay(): number {
    for (;;) {
      const day = lastDay - int(rng, 0, spanDays - 1);
      const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
      if (weekday === 0) continue;
      if (weekday === 6 && rng() > 0.25) continue;
      return day;
    }
  }

  return function visit(patientId: string, batch: Batch): void {
    const id = newId();
    const day = workingDay();
    const localDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
    const checkedInAt = utcOf(day, int(rng, 8 * 60, 19 * 60 + 30)) + int(rng, 0, 59_999);
    const cancelled = rng() < 0.08;
    const clerk = pick(rng, office);
    const nurse = pick(rng, nurses);
    const doctor = pick(rng, doctors);
    // minutes in each state
    const stints = [int(rng, 3, 45), int(rng, 5, 15), int(rng, 2, 35), int(rng, 8, 30), int(rng, 2, 10)];
    const reachedStates = cancelled ? int(rng, 1, 3) : 5; // states entered before the end
    const timeline: Array<{ from: string | null; to: string; by: string; at: string }> = [];
    let t = checkedInAt;
    let from: string | null = null;
    const actorOf = (state: string) => (state === 'WAITING' || state === 'CHECKOUT' ? clerk : state === 'WITH_DOCTOR' ? doctor : nurse);
    for (let i = 0; i < reachedStates; i++) {
      const to = STATES[i]!;
      timeline.push({ from, to, by: i === 0 ? clerk : actorOf(to), at: iso(t) });
      t += stints[i]! * 60_000 + int(rng, 0, 59_999);
      from = to;
    }
    const status = cancelled ? 'CANCELLED' : 'FINISHED';
    timeline.push({ from, to: status, by: clerk, at: iso(t) });
    const finishedAt = t;
    const triaged = reachedStates >= 2;
    const consulted = !cancelled;

    const febrile = rng() < 0.15;
    const vitals = triaged
      ? {
          temperatureC: round1(febrile ? 37.8 + rng() * 1.8 : 36.2 + rng() * 1.1),
          heartRate: int(rng, 58, febrile ? 115 : 98),
          systolic: int(rng, 105, 160),
          diastolic: int(rng, 62, 98),
          respiratoryRate: int(rng, 12, 20),
          spo2: int(rng, 94, 100),
          weightKg: round1(50 + rng() * 50),
          heightCm: int(rng, 150, 195),
          recordedAt: timeline[1]!.at,
          recordedBy: nurse,
        }
      : null;
    const intakeAnswers = triaged ? { fever: febrile, painScore: int(rng, 0, 8), allergiesReviewed: true } : null;

    let diagnoses: Array<{ code: string; description: string }> | null = null;
    let prescriptions: Array<(typeof PRESCRIPTIONS)[number]> | null = null;
    let notes: string | null = null;
    let templateAnswers: Record<string, unknown> | null = null;
    if (consulted) {
      const codes = new Map<string, string>();
      const n = rng() < 0.7 ? 1 : rng() < 0.8 ? 2 : 3;
      while (codes.size < n) {
        const [code, description] = pickDiagnosis(rng);
        codes.set(code, description);
      }
      diagnoses = [...codes].map(([code, description]) => ({ code, description }));
      const p = rng() < 0.35 ? 0 : rng() < 0.75 ? 1 : 2;
      prescriptions = p === 0 ? [] : [...new Set(Array.from({ length: p }, () => pickPrescription(rng)))];
      notes = `${pick(rng, NOTE_OPENINGS)} ${diagnoses[0]!.description.toLowerCase()}; ${pick(rng, NOTE_FINDINGS)}. ${pick(rng, NOTE_PLANS)}`;
      templateAnswers = { followUp: rng() < 0.4 ? 'sí' : 'no', sickLeave: rng() < 0.1 };
    }
    const reason = pickReason(rng);
    const cancelReason = cancelled ? pick(rng, CANCEL_REASONS) : null;
    const version = timeline.length + (triaged ? 2 : 0) + (consulted ? 1 : 0);

    const snapshot = {
      snapshotVersion: SNAPSHOT_VERSION,
      visitId: id,
      clinicId,
      patientId,
      status,
      cancelReason,
      reason,
      templateId: null,
      checkedInBy: clerk,
      nurseId: triaged ? nurse : null,
      doctorId: consulted ? doctor : null,
      vitals,
      intakeAnswers,
      notes,
      diagnoses,
      prescriptions,
      templateAnswers,
      timeline,
      checkedInAt: iso(checkedInAt),
      finishedAt: iso(finishedAt),
      finishedBy: clerk,
      timeZone,
      localDate,
      version,
    };
    const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
    batch.visits.push([
      id, clinicId, patientId, status, reason, cancelReason, null, clerk, snapshot.nurseId, snapshot.doctorId, clerk,
      new Date(checkedInAt), new Date(finishedAt), localDate, timeZone, JSON.stringify(timeline), json(vitals), json(intakeAnswers),
      notes, json(diagnoses), json(prescriptions), json(templateAnswers), null, version, SNAPSHOT_VERSION, JSON.stringify(snapshot),
      new Date(finishedAt + int(rng, 200, 5000)), searchTextOf(snapshot),
    ]);
    for (const d of diagnoses ?? []) batch.diagnoses.push([id, clinicId, d.code, new Date(finishedAt)]);
    if (consulted && rng() < 0.01) {
      const at = finishedAt + int(rng, 1, 20) * 86_400_000;
      if (at < options.now.getTime()) {
        batch.addenda.push([newId(), id, clinicId, 'Resultado de analítica recibido: valores dentro de la normalidad.', doctor, new Date(at)]);
      }
    }
  };
}

/** Visits per patient: log-normal weights scaled to `count`, every patient at least one visit. */
export function visitsPerPatient(count: number, patients: number, rng: Rng): Int32Array {
  const n = Math.max(1, Math.min(patients, count));
  const weights = Float64Array.from({ length: n }, () => Math.exp(0.9 * normal(rng)));
  const total = weights.reduce((s, w) => s + w, 0);
  const out = new Int32Array(n).fill(1);
  let left = count - n;
  const extra = count - n;
  const fractions: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const share = (extra * weights[i]!) / total;
    const whole = Math.floor(share);
    out[i]! += whole;
    left -= whole;
    fractions.push([share - whole, i]);
  }
  fractions.sort((x, y) => y[0] - x[0]);
  for (let k = 0; k < left; k++) out[fractions[k % n]![1]]! += 1;
  return out;
}

/**
 * One SQL literal. The rows are built into the statement text here rather than bound as parameters:
 * the driver escapes parameters character by character in JavaScript, which was most of the
 * generator's time; these replaces run natively. The session turns NO_BACKSLASH_ESCAPES off.
 */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (value instanceof Date) return `'${value.toISOString().slice(0, 23).replace('T', ' ')}'`;
  const text = String(value);
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0')}'`;
}

function valuesList(rows: unknown[][]): string {
  return rows.map((row) => `(${row.map(literal).join(',')})`).join(',');
}

/**
 * Adds `count` visits of `clinicId` for `patients` new patients. Returns what it wrote. Refuses to
 * run when NODE_ENV=production.
 */
export async function seedVisits(options: SeedOptions): Promise<SeedResult> {
  if (process.env.NODE_ENV === 'production') throw new Error('seed-visits: refused with NODE_ENV=production (it writes rows directly).');
  const started = Date.now();
  const count = options.count;
  if (!Number.isInteger(count) || count < 1) throw new Error('seed-visits: count must be a positive integer.');
  const patientCount = Math.max(1, Math.min(count, options.patients ?? Math.ceil(count / 20)));
  const batchSize = options.batchSize ?? 1000;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const seed = options.seed ?? randomBytes(4).readUInt32BE(0);
  const rng = mulberry32(seed);
  if (options.migrate !== false) await migrate({ url: options.url, migrationsDir: servicePaths('visits').migrationsDir });

  const makeVisit = createRowMaker({
    clinicId: options.clinicId,
    timeZone: options.timeZone ?? 'Europe/Madrid',
    years: options.years ?? 5,
    now: options.now ?? new Date(),
    rng,
    ...(options.staff ? { staff: options.staff } : {}),
  });
  const perPatient = visitsPerPatient(count, patientCount, rng);
  const patientIds = Array.from(perPatient, () => randomUUID());

  const connections = await Promise.all(Array.from({ length: concurrency }, () => openConnection(options.url)));
  const idle = [...connections];
  const waiting: Array<() => void> = [];
  const inFlight = new Set<Promise<void>>();
  let written = 0;
  let diagnoses = 0;
  let addenda = 0;
  let failure: unknown;

  async function write(batch: Batch): Promise<void> {
    const conn = idle.pop()!;
    try {
      await conn.beginTransaction();
      await conn.query(`INSERT INTO HistoricVisit (${VISIT_COLUMNS.map((c) => `\`${c}\``).join(',')}) VALUES ${valuesList(batch.visits)}`);
      if (batch.diagnoses.length > 0) {
        await conn.query(`INSERT INTO VisitDiagnosis (visitId, clinicId, code, finishedAt) VALUES ${valuesList(batch.diagnoses)}`);
      }
      if (batch.addenda.length > 0) {
        await conn.query(`INSERT INTO VisitAddendum (id, visitId, clinicId, text, byUserId, createdAt) VALUES ${valuesList(batch.addenda)}`);
      }
      await conn.commit();
      written += batch.visits.length;
      diagnoses += batch.diagnoses.length;
      addenda += batch.addenda.length;
      options.onProgress?.(written, count);
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      failure ??= error;
    } finally {
      idle.push(conn);
      waiting.shift()?.();
    }
  }

  try {
    for (const conn of connections) {
      // DATETIME values are written in UTC, like Prisma does; backslash escapes on (see literal());
      // each batch inserts its visits before their diagnoses and addenda, so the foreign keys hold
      // without being checked row by row
      await conn.query("SET time_zone = '+00:00', sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', ''), foreign_key_checks = 0");
    }
    let batch: Batch = { visits: [], diagnoses: [], addenda: [] };
    const flush = async () => {
      if (batch.visits.length === 0) return;
      while (idle.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      if (failure) throw failure;
      const job = write(batch).finally(() => inFlight.delete(job));
      inFlight.add(job);
      batch = { visits: [], diagnoses: [], addenda: [] };
    };
    for (let p = 0; p < perPatient.length; p++) {
      for (let k = 0; k < perPatient[p]!; k++) {
        makeVisit(patientIds[p]!, batch);
        if (batch.visits.length >= batchSize) await flush();
      }
      if (failure) throw failure;
    }
    await flush();
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await Promise.all(connections.map((c) => c.end().catch(() => undefined)));
  }
  return { clinicId: options.clinicId, visits: written, patients: patientIds.length, diagnoses, addenda, patientIds, millis: Date.now() - started };
}
