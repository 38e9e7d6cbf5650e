import { SNAPSHOT_VERSION, VISIT_EVENTS, type VisitChanged, type VisitCheckedIn, type VisitSnapshot } from '@clinicult/contracts';
import { badInput, conflict, notFound, parseInput } from '@clinicult/kit';
import { validateAnswers, type TemplateKind } from '@clinicult/templates';
import type { ClinicDirectory, TemplateSource } from './ports.js';
import { readVisitTemplate, type VisitTemplate } from './visit-template.js';
import { Prisma, type PatientsDb, type VisitRow } from '../db.js';
import { recordAudit, type AuditContext } from './audit.js';
import { allergyMatches } from './allergy-match.js';
import { localDate } from './clinic-time.js';
import { getPatient, type Actor } from './patients.js';
import {
  answersSchema,
  cancelReasonSchema,
  consultationSchema,
  prioritySchema,
  reasonSchema,
  VITAL_RANGES,
  VITAL_SIGNS,
  vitalsSchema,
  type VitalsValues,
} from './validation.js';
import {
  assertAllowedFrom,
  nextState,
  operationRule,
  type ArchiveStatus,
  type VisitState,
  type VisitTransition,
} from './visit-state.js';

export type { VisitRow };

/**
 * The visit in progress (DESIGN.md, "The visit"). Every operation follows the transition table in
 * visit-state.ts: the shield has checked the permission; here the visit is read within the
 * caller's clinic, `expectedVersion` and the state are checked, and the change is one conditional
 * UPDATE (`WHERE id = ? AND clinicId = ? AND version = ?`) that also bumps the version, so of two
 * racing requests exactly one wins and the other gets CONFLICT. Nothing changes on a refusal.
 */

export interface VisitDeps {
  db: PatientsDb;
  clinics: ClinicDirectory;
  /** The clinic service's templates: checkIn copies the chosen one onto the visit. */
  templates: TemplateSource;
  /**
   * Publishes a visit event on the visits stream (`visit.checked_in`: visits warms the patient's
   * history cache; `visit.changed`: the gateway pushes "queue changed" to the clinic). Never rejects: the bus falls back to the outbox while Redis is down, and
   * anything else is logged by the caller's wiring (service.ts).
   */
  publishVisitEvent?: (event: { type: string; clinicId: string; payload: Record<string, unknown> }) => Promise<void>;
}

export interface TimelineEntry {
  from: VisitState | null;
  to: VisitState;
  /** user id */
  by: string;
  /** ISO 8601 */
  at: string;
}

export type StoredVitals = Partial<Record<(typeof VITAL_SIGNS)[number], number>> & {
  recordedAt: string;
  recordedBy: string;
};

export function timelineOf(visit: Pick<VisitRow, 'timeline'>): TimelineEntry[] {
  return Array.isArray(visit.timeline) ? (visit.timeline as unknown as TimelineEntry[]) : [];
}

export function vitalsOf(visit: Pick<VisitRow, 'vitals'>): StoredVitals | null {
  const value = visit.vitals;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as unknown as StoredVitals) : null;
}

export function hasVitalSign(vitals: StoredVitals | null): boolean {
  return !!vitals && VITAL_SIGNS.some((sign) => typeof vitals[sign] === 'number');
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getVisit(db: PatientsDb, clinicId: string, id: string): Promise<VisitRow | null> {
  return db.currentVisit.findFirst({ where: { id, clinicId } });
}

/** Entity references: one query for all ids, in the order asked; other clinics' visits are null. */
export async function visitsByIds(db: PatientsDb, clinicId: string | null, ids: readonly string[]): Promise<Array<VisitRow | null>> {
  if (clinicId === null) return ids.map(() => null);
  const rows = await db.currentVisit.findMany({ where: { clinicId, id: { in: [...ids] } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** `Patient.currentVisit` for many patients: one query. */
export async function visitsByPatientIds(
  db: PatientsDb,
  clinicId: string | null,
  patientIds: readonly string[],
): Promise<Array<VisitRow | null>> {
  if (clinicId === null) return patientIds.map(() => null);
  const rows = await db.currentVisit.findMany({ where: { clinicId, patientId: { in: [...patientIds] } } });
  const byPatient = new Map(rows.map((r) => [r.patientId, r]));
  return patientIds.map((id) => byPatient.get(id) ?? null);
}

/** The board shows every current visit: the default is the maximum. */
export const MAX_QUEUE_SIZE = 500;
export const DEFAULT_QUEUE_SIZE = MAX_QUEUE_SIZE;

/** The clinic's current visits by check-in time (the waiting-room board), optionally of some states. */
export async function listQueue(
  db: PatientsDb,
  clinicId: string,
  args: { states?: readonly VisitState[] | null; first?: number | null },
): Promise<VisitRow[]> {
  const first = args.first ?? DEFAULT_QUEUE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_QUEUE_SIZE) {
    throw badInput(`first: give a number from 1 to ${MAX_QUEUE_SIZE}.`, ['first']);
  }
  const rows = await db.currentVisit.findMany({
    where: { clinicId, ...(args.states && args.states.length > 0 ? { state: { in: [...args.states] } } : {}) },
    // urgent first (VisitPriority is declared in board order), then by check-in time
    orderBy: [{ priority: 'asc' }, { checkedInAt: 'asc' }, { id: 'asc' }],
    take: first,
    select: BOARD_COLUMNS,
  });
  // typed as whole rows for the resolvers, which ask wholeVisit() (loaders.ts) for the columns left out
  return rows.map((row) => markPartial(row as VisitRow));
}

/**
 * The columns a queue board shows (every screen polls it): the JSON and text columns — the template
 * copy, the medical data, the timeline — are left out, which halves what the database sends and the
 * client parses per visit (issue 14); a field that needs them loads the whole rows, once per request.
 */
export const BOARD_COLUMNS = {
  id: true, clinicId: true, patientId: true, state: true, priority: true, reason: true, templateId: true, checkedInBy: true, nurseId: true,
  doctorId: true, version: true, checkedInAt: true, stateChangedAt: true, updatedAt: true,
} as const satisfies Prisma.CurrentVisitSelect;

const partialRows = new WeakSet<VisitRow>();
function markPartial(row: VisitRow): VisitRow {
  partialRows.add(row);
  return row;
}
/** Whether a row has only BOARD_COLUMNS (a queue row). */
export function isPartialVisit(row: VisitRow): boolean {
  return partialRows.has(row);
}

/** How many current visits the queue holds (of these states): one COUNT on the queue's index. */
export function queueSize(db: PatientsDb, clinicId: string, states?: readonly VisitState[] | null): Promise<number> {
  return db.currentVisit.count({ where: { clinicId, ...(states && states.length > 0 ? { state: { in: [...states] } } : {}) } });
}

// ---------------------------------------------------------------------------------------------
// Refusals

function visitNotFound(id: string) {
  return notFound(`No current visit with id ${id} in this clinic (finished and cancelled visits are in the patient's history).`);
}

/** The visit was archived by a concurrent request between our read and our write. */
function archivedMeanwhile(id: string) {
  return conflict(`Visit ${id} was finished or cancelled by someone else meanwhile; nothing was changed.`, { reason: 'ARCHIVED' });
}

function staleVisit(current: Pick<VisitRow, 'version' | 'state'>, expected?: number | null) {
  return conflict(
    `This visit was changed by someone else (now version ${current.version}, ${current.state}` +
      `${expected != null ? `; you sent version ${expected}` : ''}); reload it and try again.`,
    { reason: 'STALE_VERSION', currentVersion: current.version, state: current.state },
  );
}

/** Reads the visit and checks version and state; throws the refusal otherwise. */
async function loadForOperation(
  db: PatientsDb,
  clinicId: string,
  name: VisitTransition,
  visitId: string,
  expectedVersion: number | null | undefined,
): Promise<VisitRow> {
  const visit = await getVisit(db, clinicId, visitId);
  if (!visit) throw visitNotFound(visitId);
  if (expectedVersion != null && expectedVersion !== visit.version) throw staleVisit(visit, expectedVersion);
  assertAllowedFrom(name, visit.state);
  return visit;
}

// ---------------------------------------------------------------------------------------------
// checkIn

/**
 * — → WAITING. One current visit per patient: the UNIQUE index on patientId makes a second
 * check-in (or two at once) fail, reported as CONFLICT (reason ALREADY_CHECKED_IN).
 */
export async function checkIn(
  deps: VisitDeps,
  actor: Actor,
  audit: AuditContext,
  args: { patientId: string; reason: unknown; templateId?: string | null; priority?: unknown; requestId?: string },
): Promise<VisitRow> {
  const reason = parseInput(reasonSchema, args.reason, 'reason');
  const priority = parseInput(prioritySchema, args.priority ?? 'ROUTINE', 'priority');
  const { db } = deps;
  const patient = await getPatient(db, actor.clinicId, args.patientId);
  if (!patient) throw notFound(`No patient with id ${args.patientId} in this clinic.`);
  const alreadyIn = (visit: Pick<VisitRow, 'id' | 'state'>) =>
    conflict(
      `This patient is already checked in (visit ${visit.id}, ${visit.state}); finish or cancel that visit first.`,
      { reason: 'ALREADY_CHECKED_IN', visitId: visit.id, state: visit.state },
    );
  const existing = await db.currentVisit.findFirst({ where: { clinicId: actor.clinicId, patientId: patient.id } });
  if (existing) throw alreadyIn(existing);
  // the copy taken now is what this visit's answers are validated against, whatever is published later
  const templateId = args.templateId?.trim() || null;
  const template: VisitTemplate | null = templateId
    ? await deps.templates.forVisit(actor.clinicId, templateId, args.requestId ? { requestId: args.requestId } : {})
    : null;
  const now = new Date();
  const timeline: TimelineEntry[] = [{ from: null, to: 'WAITING', by: actor.userId, at: now.toISOString() }];
  let visit: VisitRow;
  try {
    visit = await db.currentVisit.create({
      data: {
        clinicId: actor.clinicId,
        patientId: patient.id,
        reason,
        priority,
        templateId: template?.templateId ?? null,
        template: template ? (template as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
        checkedInBy: actor.userId,
        timeline: timeline as unknown as Prisma.InputJsonValue,
        checkedInAt: now,
        stateChangedAt: now,
      },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await db.currentVisit.findFirst({ where: { clinicId: actor.clinicId, patientId: patient.id } });
      throw alreadyIn(winner ?? { id: 'unknown', state: 'WAITING' });
    }
    throw error;
  }
  await recordAudit(audit, { action: 'visit.checkIn', patientId: patient.id, visitId: visit.id });
  // after the write: visits warms this patient's history cache while they are in the clinic
  const checkedIn: VisitCheckedIn = { clinicId: actor.clinicId, patientId: patient.id, visitId: visit.id };
  await deps.publishVisitEvent?.({ type: VISIT_EVENTS.checkedIn, clinicId: actor.clinicId, payload: checkedIn });
  return visit;
}

// ---------------------------------------------------------------------------------------------
// Transitions on an existing visit

interface Change {
  data?: Prisma.CurrentVisitUncheckedUpdateManyInput;
  /** fields written, for the audit event */
  fields?: string[];
}

/**
 * Runs one operation of the table: load + checks, `prepare` (operation-specific validation and
 * data), then the conditional UPDATE that stamps the timeline on a state change and bumps the version.
 */
async function runTransition(
  deps: VisitDeps,
  actor: Actor,
  audit: AuditContext,
  name: Exclude<VisitTransition, 'finishVisit' | 'cancelVisit'>,
  visitId: string,
  expectedVersion: number | null | undefined,
  prepare?: (visit: VisitRow, now: Date) => Change,
): Promise<VisitRow> {
  const { db } = deps;
  const visit = await loadForOperation(db, actor.clinicId, name, visitId, expectedVersion);
  const now = new Date();
  const change = prepare?.(visit, now) ?? {};
  const to = nextState(name, visit.state) as VisitState;
  const data: Prisma.CurrentVisitUncheckedUpdateManyInput = { ...change.data, version: { increment: 1 } };
  if (to !== visit.state) {
    const entry: TimelineEntry = { from: visit.state, to, by: actor.userId, at: now.toISOString() };
    data.state = to;
    data.stateChangedAt = now;
    data.timeline = [...timelineOf(visit), entry] as unknown as Prisma.InputJsonValue;
  }
  const assigns = operationRule(name).assigns;
  if (assigns === 'nurse') data.nurseId = actor.userId;
  if (assigns === 'doctor') data.doctorId = actor.userId;
  const { count } = await db.currentVisit.updateMany({
    where: { id: visit.id, clinicId: actor.clinicId, version: visit.version },
    data,
  });
  const updated = await getVisit(db, actor.clinicId, visit.id);
  if (!updated) throw archivedMeanwhile(visitId);
  if (count === 0) throw staleVisit(updated, expectedVersion);
  await recordAudit(audit, {
    action: `visit.${name}`,
    patientId: visit.patientId,
    visitId: visit.id,
    ...(change.fields ? { fields: change.fields } : {}),
  });
  await publishChanged(deps, updated);
  return updated;
}

/** After a committed change: the clinic's queue boards read the queue again (the gateway's push). */
function publishChanged(deps: VisitDeps, visit: Pick<VisitRow, 'id' | 'clinicId'>): Promise<void> | undefined {
  const changed: VisitChanged = { clinicId: visit.clinicId, visitId: visit.id };
  return deps.publishVisitEvent?.({ type: VISIT_EVENTS.changed, clinicId: visit.clinicId, payload: changed });
}

type Args = { visitId: string; expectedVersion?: number | null };

/** Urgent or routine, until the doctor calls the patient in; the board orders by it. */
export function setVisitPriority(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args & { priority: unknown }): Promise<VisitRow> {
  const priority = parseInput(prioritySchema, args.priority, 'priority');
  return runTransition(deps, actor, audit, 'setVisitPriority', args.visitId, args.expectedVersion, () => ({
    data: { priority },
    fields: ['priority'],
  }));
}

/** WAITING → TRIAGE; the calling nurse becomes the visit's nurse. */
export function startTriage(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args): Promise<VisitRow> {
  return runTransition(deps, actor, audit, 'startTriage', args.visitId, args.expectedVersion);
}

/** In TRIAGE: the values given replace the recorded ones (the others stay). */
export function recordVitals(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args & { vitals: unknown }): Promise<VisitRow> {
  const values: VitalsValues = parseInput(vitalsSchema, args.vitals, 'vitals');
  return runTransition(deps, actor, audit, 'recordVitals', args.visitId, args.expectedVersion, (visit, now) => {
    const merged: StoredVitals = { ...vitalsOf(visit), ...values, recordedAt: now.toISOString(), recordedBy: actor.userId };
    if (merged.systolic !== undefined && merged.diastolic !== undefined && merged.diastolic >= merged.systolic) {
      throw badInput(
        `vitals.diastolic: ${merged.diastolic} ${VITAL_RANGES.diastolic.unit} must be lower than systolic (${merged.systolic} ${VITAL_RANGES.systolic.unit}).`,
        ['vitals.diastolic'],
      );
    }
    return { data: { vitals: merged as unknown as Prisma.InputJsonValue }, fields: Object.keys(values).map((k) => `vitals.${k}`) };
  });
}

/**
 * Answers checked against the visit's copy of its template, which must be of `kind`: a missing
 * required answer, an unknown key or a wrong type is BAD_USER_INPUT naming `<argument>.<key>`.
 */
function checkedAnswers(visit: VisitRow, kind: TemplateKind, answers: unknown, argument: string): Record<string, unknown> {
  const template = readVisitTemplate(visit.template);
  if (!template || template.kind !== kind) {
    const which = kind === 'INTAKE' ? 'an intake' : 'a note';
    throw badInput(
      `${argument}: this visit has no ${kind} template (it was checked in ${template ? `with the ${template.kind} template "${template.name}"` : 'without a template'}); answers need ${which} template chosen at check-in.`,
      [argument], { reason: 'NO_TEMPLATE' },
    );
  }
  const result = validateAnswers(template.fields, answers);
  if (!result.ok) {
    const fields = result.problems.map((p) => (p.key === 'answers' ? argument : `${argument}.${p.key}`));
    const problems = result.problems.map((p, i) => ({ path: fields[i]!, message: p.message }));
    throw badInput(problems.map((p) => `${p.path}: ${p.message}`).join(' '), problems, {
      template: { templateId: template.templateId, version: template.version },
    });
  }
  return result.answers;
}

/** In TRIAGE: the intake template's answers, validated against the visit's copy of the template. */
export function recordIntake(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args & { answers: unknown }): Promise<VisitRow> {
  parseInput(answersSchema, args.answers, 'answers');
  return runTransition(deps, actor, audit, 'recordIntake', args.visitId, args.expectedVersion, (visit) => ({
    data: { intakeAnswers: checkedAnswers(visit, 'INTAKE', args.answers, 'answers') as Prisma.InputJsonValue },
    fields: ['intakeAnswers'],
  }));
}

/** TRIAGE → READY_FOR_DOCTOR, once at least one vital sign is recorded. */
export function sendToDoctor(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args): Promise<VisitRow> {
  return runTransition(deps, actor, audit, 'sendToDoctor', args.visitId, args.expectedVersion, (visit) => {
    if (!hasVitalSign(vitalsOf(visit))) {
      throw badInput('sendToDoctor: record at least one vital sign first (recordVitals).', ['vitals'], { state: visit.state });
    }
    return {};
  });
}

/** READY_FOR_DOCTOR → WITH_DOCTOR; the calling doctor becomes the visit's doctor. */
export function startConsultation(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args): Promise<VisitRow> {
  return runTransition(deps, actor, audit, 'startConsultation', args.visitId, args.expectedVersion);
}

/**
 * A prescription whose drug matches one of the patient's recorded allergies is refused unless it
 * says why (`allergyOverride`, kept on the visit): the doctor sees the warning and confirms it.
 */
async function checkAllergies(db: PatientsDb, clinicId: string, visitId: string, prescriptions: ReadonlyArray<{ drug: string; allergyOverride?: string | null }>): Promise<void> {
  if (prescriptions.length === 0) return;
  const visit = await db.currentVisit.findFirst({ where: { id: visitId, clinicId }, select: { patientId: true } });
  if (!visit) return; // the transition says what is wrong with the visit
  const patient = await db.patient.findFirst({ where: { id: visit.patientId, clinicId }, select: { allergies: true } });
  const substances = (Array.isArray(patient?.allergies) ? patient.allergies : [])
    .map((a) => (a && typeof a === 'object' && 'substance' in a ? String((a as { substance: unknown }).substance) : ''))
    .filter((s) => s !== '');
  const unconfirmed = allergyMatches(prescriptions, substances).filter((m) => !prescriptions[m.index]!.allergyOverride);
  if (unconfirmed.length === 0) return;
  const problems = unconfirmed.map((m) => ({
    path: `input.prescriptions[${m.index}].allergyOverride`,
    message: `${m.drug} matches the recorded allergy to ${m.substance}: give the reason to prescribe it anyway.`,
  }));
  throw badInput(problems.map((p) => `${p.path}: ${p.message}`).join(' '), problems, {
    reason: 'ALLERGY_MATCH',
    matches: unconfirmed,
  });
}

/** In WITH_DOCTOR: notes, diagnoses, prescriptions, the note template's answers (the ones given replace). */
export async function recordConsultation(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args & { input: unknown }): Promise<VisitRow> {
  const input = parseInput(consultationSchema, args.input, 'input');
  if (input.prescriptions) await checkAllergies(deps.db, actor.clinicId, args.visitId, input.prescriptions);
  return runTransition(deps, actor, audit, 'recordConsultation', args.visitId, args.expectedVersion, (visit) => {
    const data: Prisma.CurrentVisitUncheckedUpdateManyInput = {};
    const json = (v: unknown) => (v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));
    if (input.notes !== undefined) data.notes = input.notes;
    if (input.diagnoses !== undefined) data.diagnoses = json(input.diagnoses);
    if (input.prescriptions !== undefined) data.prescriptions = json(input.prescriptions);
    if (input.templateAnswers !== undefined) {
      data.templateAnswers = input.templateAnswers === null ? Prisma.DbNull : json(checkedAnswers(visit, 'NOTE', input.templateAnswers, 'input.templateAnswers'));
    }
    return { data, fields: Object.keys(data) };
  });
}

/** WITH_DOCTOR → CHECKOUT. */
export function completeConsultation(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args): Promise<VisitRow> {
  return runTransition(deps, actor, audit, 'completeConsultation', args.visitId, args.expectedVersion);
}

// ---------------------------------------------------------------------------------------------
// finishVisit / cancelVisit: the archive outbox

/** What the visits service receives (through the archive outbox): @clinicult/contracts' schema, which visits checks. */
export type { VisitSnapshot };

export function buildSnapshot(
  visit: VisitRow,
  status: ArchiveStatus,
  by: string,
  at: Date,
  timeZone: string,
  cancelReason: string | null,
): VisitSnapshot {
  return {
    snapshotVersion: SNAPSHOT_VERSION,
    visitId: visit.id,
    clinicId: visit.clinicId,
    patientId: visit.patientId,
    status,
    cancelReason,
    reason: visit.reason,
    templateId: visit.templateId,
    template: readVisitTemplate(visit.template),
    checkedInBy: visit.checkedInBy,
    nurseId: visit.nurseId,
    doctorId: visit.doctorId,
    vitals: vitalsOf(visit),
    intakeAnswers: visit.intakeAnswers,
    notes: visit.notes,
    // JSON columns patients validated when they were written (parseInput at each operation)
    diagnoses: visit.diagnoses as VisitSnapshot['diagnoses'],
    prescriptions: visit.prescriptions as VisitSnapshot['prescriptions'],
    templateAnswers: visit.templateAnswers,
    timeline: [...timelineOf(visit), { from: visit.state, to: status, by, at: at.toISOString() }],
    checkedInAt: visit.checkedInAt.toISOString(),
    finishedAt: at.toISOString(),
    finishedBy: by,
    timeZone,
    localDate: localDate(visit.checkedInAt, timeZone),
    version: visit.version + 1,
  };
}

/**
 * In ONE transaction: delete the current visit (conditional on the version read) and write its
 * snapshot to the archive outbox. Either both happen or neither; the relay (visits issue)
 * delivers the outbox row to the visits service.
 */
async function archive(
  deps: VisitDeps,
  actor: Actor,
  audit: AuditContext,
  name: 'finishVisit' | 'cancelVisit',
  args: Args,
  cancelReason: string | null,
): Promise<boolean> {
  const { db } = deps;
  const visit = await loadForOperation(db, actor.clinicId, name, args.visitId, args.expectedVersion);
  const status = nextState(name, visit.state) as ArchiveStatus;
  const timeZone = await deps.clinics.timeZone(actor.clinicId);
  const now = new Date();
  const snapshot = buildSnapshot(visit, status, actor.userId, now, timeZone, cancelReason);
  const STALE = Symbol('stale');
  try {
    await db.$transaction(async (tx) => {
      const { count } = await tx.currentVisit.deleteMany({ where: { id: visit.id, clinicId: actor.clinicId, version: visit.version } });
      if (count === 0) throw STALE;
      await tx.archiveOutbox.create({
        data: { visitId: visit.id, clinicId: visit.clinicId, patientId: visit.patientId, snapshot: JSON.stringify(snapshot), createdAt: now },
      });
    });
  } catch (error) {
    if (error !== STALE) throw error;
    const current = await getVisit(db, actor.clinicId, visit.id);
    if (!current) throw archivedMeanwhile(args.visitId);
    throw staleVisit(current, args.expectedVersion);
  }
  await recordAudit(audit, { action: `visit.${name}`, patientId: visit.patientId, visitId: visit.id });
  await publishChanged(deps, visit);
  return true;
}

/** CHECKOUT → archived (FINISHED). */
export function finishVisit(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args): Promise<boolean> {
  return archive(deps, actor, audit, 'finishVisit', args, null);
}

/** WAITING, TRIAGE or READY_FOR_DOCTOR → archived (CANCELLED), with the reason. */
export function cancelVisit(deps: VisitDeps, actor: Actor, audit: AuditContext, args: Args & { reason?: unknown }): Promise<boolean> {
  const reason = parseInput(cancelReasonSchema, args.reason, 'reason') ?? null;
  return archive(deps, actor, audit, 'cancelVisit', args, reason);
}
