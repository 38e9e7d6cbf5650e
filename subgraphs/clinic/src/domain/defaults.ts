import { randomUUID } from 'node:crypto';
import { templateInputSchema, type TemplateDefinition } from '@clinicult/templates';
import type { ClinicTx, Prisma } from '../db.js';
import type { OpeningHours } from './settings.js';

/**
 * What a new clinic starts with (issue 5: "clinic creates default settings and templates for a new
 * clinic"): the visit reasons offered at check-in, Monday–Friday 08:00–18:00, and three templates
 * that between them use every field type. The clinic's ADMIN edits or deactivates them like any other.
 */
export const DEFAULT_VISIT_REASONS = ['General check-up', 'Follow-up', 'Vaccination', 'Acute illness', 'Prescription renewal', 'Test results'];

export const DEFAULT_OPENING_HOURS: OpeningHours[] = (['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] as const).map((day) => ({
  day,
  opens: '08:00',
  closes: '18:00',
}));

const RAW_DEFAULT_TEMPLATES = [
  {
    name: 'General check-up intake',
    kind: 'INTAKE',
    fields: [
      { key: 'chiefComplaint', label: 'Main reason for the visit', type: 'TEXT', required: true, help: "In the patient's own words." },
      { key: 'symptomOnset', label: 'Symptoms started on', type: 'DATE' },
      { key: 'painScore', label: 'Pain (0 = none, 10 = worst)', type: 'NUMBER', required: true, min: 0, max: 10 },
      { key: 'smoker', label: 'Smoker', type: 'BOOLEAN', required: true },
      { key: 'alcohol', label: 'Alcohol', type: 'CHOICE', options: ['Never', 'Occasionally', 'Weekly', 'Daily'] },
      { key: 'knownConditions', label: 'Known conditions', type: 'MULTI_CHOICE', options: ['Hypertension', 'Diabetes', 'Asthma', 'Heart disease', 'None'] },
    ],
  },
  {
    name: 'Pediatric follow-up intake',
    kind: 'INTAKE',
    fields: [
      { key: 'weightKg', label: 'Weight', type: 'NUMBER', required: true, unit: 'kg', min: 0.5, max: 150 },
      { key: 'heightCm', label: 'Height', type: 'NUMBER', unit: 'cm', min: 30, max: 200 },
      { key: 'feeding', label: 'Feeding', type: 'CHOICE', required: true, options: ['Breastfeeding', 'Formula', 'Mixed', 'Solid food'] },
      { key: 'vaccinesUpToDate', label: 'Vaccinations up to date', type: 'BOOLEAN', required: true },
      { key: 'lastVaccinationDate', label: 'Last vaccination', type: 'DATE' },
      { key: 'parentConcerns', label: "Parents' concerns", type: 'TEXT' },
    ],
  },
  {
    name: 'General consultation note',
    kind: 'NOTE',
    fields: [
      { key: 'history', label: 'History of present illness', type: 'TEXT', required: true },
      { key: 'examination', label: 'Physical examination', type: 'TEXT', required: true },
      { key: 'severity', label: 'Severity', type: 'CHOICE', options: ['Mild', 'Moderate', 'Severe'] },
      { key: 'referrals', label: 'Referred to', type: 'MULTI_CHOICE', options: ['Cardiology', 'Dermatology', 'Pediatrics', 'Physiotherapy', 'Laboratory', 'Imaging'] },
      { key: 'sickLeaveDays', label: 'Sick leave', type: 'NUMBER', unit: 'days', min: 0, max: 365 },
      { key: 'followUpNeeded', label: 'Follow-up visit needed', type: 'BOOLEAN', required: true },
      { key: 'followUpDate', label: 'Follow-up on', type: 'DATE', help: 'Leave empty when no follow-up is needed.' },
    ],
  },
];

/** The default templates, normalized exactly as createTemplate stores a template. */
export const DEFAULT_TEMPLATES: TemplateDefinition[] = RAW_DEFAULT_TEMPLATES.map((t) => templateInputSchema.parse(t));

export interface DefaultsHooks {
  /**
   * Tests only: called inside the transaction after every default row is written and before it
   * commits; throwing here is a crash half-way (everything rolls back and the event comes again).
   */
  beforeDefaultsCommit?: (clinicId: string) => unknown;
}

/**
 * Creates a clinic's default settings and templates once. The settings row is the key: it is
 * inserted first (`INSERT IGNORE`: 1 row when this call inserted it, 0 when it exists; a second
 * writer waits on the first one's row lock, then sees it — `ON DUPLICATE KEY UPDATE` would not do,
 * the MariaDB driver counts found rows, so a no-op update reports 1), and only the writer that inserted it writes the templates, in the
 * same transaction. So a second delivery of clinic.created, a redelivery after a crash half-way
 * (the transaction rolled back: nothing was kept), or updateClinicSettings arriving first all end
 * with exactly one set. Returns whether this call created them.
 */
export async function ensureClinicDefaults(tx: ClinicTx, clinicId: string, by: string, hooks: DefaultsHooks = {}): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT IGNORE INTO ClinicSettings (clinicId, address, phone, openingHours, visitReasons, createdAt, updatedAt)
    VALUES (${clinicId}, NULL, NULL, ${JSON.stringify(DEFAULT_OPENING_HOURS)}, ${JSON.stringify(DEFAULT_VISIT_REASONS)}, NOW(3), NOW(3))`;
  if (inserted !== 1) return false;
  for (const definition of DEFAULT_TEMPLATES) {
    const id = randomUUID();
    await tx.template.create({
      data: {
        id,
        clinicId,
        name: definition.name,
        kind: definition.kind,
        currentVersion: 1,
        versions: {
          create: {
            id: randomUUID(),
            clinicId,
            version: 1,
            name: definition.name,
            kind: definition.kind,
            fields: definition.fields as unknown as Prisma.InputJsonValue,
            createdBy: `system:${by}`,
          },
        },
      },
    });
  }
  await hooks.beforeDefaultsCommit?.(clinicId);
  return true;
}
