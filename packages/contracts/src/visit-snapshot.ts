import { z } from 'zod';
import { FIELD_TYPES, TEMPLATE_KINDS } from '@clinicult/templates';

/**
 * The snapshot of a finished or cancelled visit: patients writes it to its archive outbox
 * (finishVisit / cancelVisit, `buildSnapshot`) and its relay delivers it to visits' internal
 * `archiveVisit`, which checks it whole with this schema before anything is stored. One schema for
 * both sides: patients' tests check what it builds against it.
 */
export const SNAPSHOT_VERSION = 1;

/** A current visit's states (patients' state machine; clinic keys its wait thresholds by them). */
export const CURRENT_VISIT_STATES = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;
export const ARCHIVE_STATUSES = ['FINISHED', 'CANCELLED'] as const;
export const VISIT_STEPS = [...CURRENT_VISIT_STATES, ...ARCHIVE_STATUSES] as const;

const id = z.string().trim().min(1, 'must not be empty.').max(36, 'at most 36 characters (an id).');
const optionalId = id.nullable().optional().transform((v) => v ?? null);
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant, e.g. 2026-11-27T10:00:00.000Z.' });
const optionalText = (max: number) => z.string().max(max, `at most ${max} characters.`).nullable().optional().transform((v) => v ?? null);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isCalendarDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const json = z.unknown().optional().transform((v) => (v === undefined ? null : v));

const vitals = z
  .looseObject({
    temperatureC: z.number().optional(),
    heartRate: z.number().optional(),
    systolic: z.number().optional(),
    diastolic: z.number().optional(),
    respiratoryRate: z.number().optional(),
    spo2: z.number().optional(),
    weightKg: z.number().optional(),
    heightCm: z.number().optional(),
    recordedAt: instant.optional(),
    recordedBy: id.optional(),
  })
  .nullable()
  .optional()
  .transform((v) => v ?? null);

const diagnosis = z.object({
  code: z.string().trim().min(1, 'must not be empty.').max(16, 'at most 16 characters (an ICD-10 code).'),
  description: z.string().nullable().optional(),
});

const prescription = z.object({
  drug: z.string(),
  dose: z.string(),
  route: z.string(),
  frequency: z.string(),
  durationDays: z.number().int().nullable().optional(),
  /** why it was prescribed although it matched a recorded allergy */
  allergyOverride: z.string().nullable().optional(),
});

/**
 * The template version the visit was started with (patients keeps a copy from clinic at check-in):
 * what `HistoricVisit.template` answers, so every non-null field of `TemplateVersion` is required.
 * Extra keys are kept (the snapshot is stored as received).
 */
const templateField = z.looseObject({
  key: z.string().min(1, 'must not be empty.'),
  label: z.string(),
  type: z.enum(FIELD_TYPES, { error: `must be one of ${FIELD_TYPES.join(', ')}.` }),
  required: z.boolean(),
  options: z.array(z.string()).nullable().optional(),
  unit: z.string().nullable().optional(),
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
  help: z.string().nullable().optional(),
});

const templateVersion = z
  .looseObject({
    id,
    templateId: id,
    name: z.string().min(1, 'must not be empty.'),
    kind: z.enum(TEMPLATE_KINDS, { error: 'must be INTAKE or NOTE.' }),
    version: z.number().int().min(1),
    fields: z.array(templateField),
  })
  .nullable()
  .optional()
  .transform((v) => v ?? null);

const timelineEntry = z.object({
  from: z.enum(VISIT_STEPS).nullable(),
  to: z.enum(VISIT_STEPS),
  by: id,
  at: instant,
});

export const visitSnapshotSchema = z
  .object({
    snapshotVersion: z.literal(SNAPSHOT_VERSION, { error: `must be ${SNAPSHOT_VERSION}; this visits service reads snapshot version ${SNAPSHOT_VERSION} only.` }),
    visitId: id,
    clinicId: id,
    patientId: id,
    status: z.enum(ARCHIVE_STATUSES, { error: 'must be FINISHED or CANCELLED.' }),
    cancelReason: optionalText(500),
    reason: z.string().trim().min(1, 'must not be empty.').max(500, 'at most 500 characters.'),
    templateId: optionalId,
    template: templateVersion,
    checkedInBy: id,
    nurseId: optionalId,
    doctorId: optionalId,
    vitals,
    intakeAnswers: json,
    notes: z.string().nullable().optional().transform((v) => v ?? null),
    diagnoses: z.array(diagnosis).nullable().optional().transform((v) => v ?? null),
    prescriptions: z.array(prescription).nullable().optional().transform((v) => v ?? null),
    templateAnswers: json,
    timeline: z.array(timelineEntry).min(1, 'must hold at least the check-in and the archive step.'),
    checkedInAt: instant,
    finishedAt: instant,
    finishedBy: id,
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Madrid.'),
    localDate: z.string().refine(isCalendarDate, 'must be a date written YYYY-MM-DD.'),
    version: z.number().int().min(1),
  })
  .superRefine((s, ctx) => {
    if (Date.parse(s.finishedAt) < Date.parse(s.checkedInAt)) {
      ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: 'must not be before checkedInAt.' });
    }
    const last = s.timeline.at(-1);
    if (last && last.to !== s.status) {
      ctx.addIssue({ code: 'custom', path: ['timeline'], message: `must end with the step to ${s.status} (it ends with ${last.to}).` });
    }
    if (s.status === 'FINISHED' && s.cancelReason !== null) {
      ctx.addIssue({ code: 'custom', path: ['cancelReason'], message: 'only a CANCELLED visit has a cancel reason.' });
    }
  });

/** What visits stores (defaults applied). */
export type ArchivedSnapshot = z.infer<typeof visitSnapshotSchema>;
/** What patients builds and sends. */
export type VisitSnapshot = z.input<typeof visitSnapshotSchema>;
