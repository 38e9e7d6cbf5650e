import { z } from 'zod';

/**
 * Input rules for patients' operations. Every message starts with the field it is about
 * (`birthDate: must not be in the future.`, `vitals.temperatureC: …`) and says how to fix it;
 * a refusal is BAD_USER_INPUT with `extensions.fields` listing the fields (STYLE.md).
 * GraphQL has already checked types, enums and the Date format.
 */

/** A string field that may not be null (update inputs: a required field cannot be cleared). */
const text = () =>
  z.string({ error: (issue) => (issue.input === null ? 'cannot be cleared; give a value.' : 'must be text.') });

const requiredText = (max: number) =>
  text().trim().min(1, 'must not be empty.').max(max, `at most ${max} characters.`);

/** Optional text: trimmed; empty means none (null). */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters.`)
    .transform((v) => (v === '' ? null : v));

export const nameSchema = requiredText(100);

/** Empty means "no phone"; otherwise digits, spaces and + ( ) - . / with at least 6 digits. */
export const phoneSchema = z
  .string()
  .trim()
  .max(40, 'at most 40 characters.')
  .regex(/^$|^\+?[0-9][0-9 ()./-]*$/, 'use digits, spaces and + ( ) - . only, e.g. +34 912 345 678.')
  .refine((v) => v === '' || digitsOf(v).length >= 6, 'give at least 6 digits, e.g. +34 912 345 678.')
  .transform((v) => (v === '' ? null : v));

export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'at most 254 characters.')
  .refine((v) => v === '' || z.email().safeParse(v).success, 'not a valid address; write it like name@example.org.')
  .transform((v) => (v === '' ? null : v));

export const mrnSchema = requiredText(32).regex(
  /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
  'letters, digits and . _ / - only, e.g. MRN-000123.',
);

/** National ids are compared without spaces, dots and dashes, in upper case (12.345.678-z = 12345678Z). */
export function normalizeNationalId(value: string): string {
  return value.replace(/[\s.-]/g, '').toUpperCase();
}

export const nationalIdSchema = z
  .string()
  .trim()
  .max(64, 'at most 64 characters.')
  .transform(normalizeNationalId)
  .refine((v) => v === '' || /^[A-Z0-9/]+$/.test(v), 'letters and digits only, e.g. 12345678Z.')
  .transform((v) => (v === '' ? null : v));

export const EARLIEST_BIRTH_DATE = '1900-01-01';

/**
 * The latest acceptable birth date: today. "Today" is taken as UTC's date plus one day, so a baby
 * born just after midnight in a clinic east of UTC is not refused; anything later is the future.
 */
export function latestBirthDate(now: Date = new Date()): string {
  return new Date(now.getTime() + 24 * 3600_000).toISOString().slice(0, 10);
}

export const birthDateSchema = text()
  .refine((v) => v >= EARLIEST_BIRTH_DATE, `must not be before ${EARLIEST_BIRTH_DATE}.`)
  .refine((v) => v <= latestBirthDate(), 'must not be in the future.');

export const BLOOD_TYPES = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const;

export const bloodTypeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((v) => v === '' || (BLOOD_TYPES as readonly string[]).includes(v), `one of ${BLOOD_TYPES.join(', ')}.`)
  .transform((v) => (v === '' ? null : v));

const addressSchema = z
  .object({
    line1: optionalText(200).nullish(),
    line2: optionalText(200).nullish(),
    city: optionalText(100).nullish(),
    postalCode: optionalText(20).nullish(),
    region: optionalText(100).nullish(),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .refine((v) => v === '' || /^[A-Z]{2}$/.test(v), 'a two-letter ISO 3166 code, e.g. ES.')
      .transform((v) => (v === '' ? null : v))
      .nullish(),
  })
  .transform((a) => {
    const clean = Object.fromEntries(Object.entries(a).filter(([, v]) => v != null)) as Record<string, string>;
    return Object.keys(clean).length > 0 ? clean : null;
  });

const emergencyContactSchema = z.object({
  name: requiredText(200),
  relationship: optionalText(100).nullish(),
  phone: phoneSchema.nullish(),
});

const allergySchema = z.object({
  substance: requiredText(200),
  reaction: optionalText(500).nullish(),
  severity: z.enum(['MILD', 'MODERATE', 'SEVERE']).nullish(),
});

const shortList = (max: number) =>
  z.array(requiredText(200)).max(max, `at most ${max} entries.`);

export const MEDICAL_PATIENT_FIELDS = ['bloodType', 'allergies', 'chronicConditions', 'currentMedications', 'medicalNotes'] as const;
export type MedicalPatientField = (typeof MEDICAL_PATIENT_FIELDS)[number];

const patientFields = {
  mrn: mrnSchema,
  nationalId: nationalIdSchema,
  givenName: nameSchema,
  familyName: nameSchema,
  birthDate: birthDateSchema,
  gender: z.enum(['MALE', 'FEMALE', 'OTHER', 'UNKNOWN']),
  phone: phoneSchema,
  email: emailSchema,
  address: addressSchema,
  emergencyContact: emergencyContactSchema,
  bloodType: bloodTypeSchema,
  allergies: z.array(allergySchema).max(50, 'at most 50 entries.'),
  chronicConditions: shortList(50),
  currentMedications: shortList(50),
  medicalNotes: optionalText(10_000),
};

export const registerPatientSchema = z.object({
  mrn: patientFields.mrn.nullish(),
  nationalId: patientFields.nationalId.nullish(),
  givenName: patientFields.givenName,
  familyName: patientFields.familyName,
  birthDate: patientFields.birthDate,
  gender: patientFields.gender.nullish(),
  phone: patientFields.phone.nullish(),
  email: patientFields.email.nullish(),
  address: patientFields.address.nullish(),
  emergencyContact: patientFields.emergencyContact.nullish(),
  bloodType: patientFields.bloodType.nullish(),
  allergies: patientFields.allergies.nullish(),
  chronicConditions: patientFields.chronicConditions.nullish(),
  currentMedications: patientFields.currentMedications.nullish(),
  medicalNotes: patientFields.medicalNotes.nullish(),
  allowPossibleDuplicate: z.boolean().nullish(),
});
export type RegisterPatientInput = z.infer<typeof registerPatientSchema>;

/** Only the fields present change; null clears an optional one. mrn, names, birthDate and gender cannot be cleared. */
export const updatePatientSchema = z
  .object({
    mrn: patientFields.mrn.optional(),
    nationalId: patientFields.nationalId.nullish(),
    givenName: patientFields.givenName.optional(),
    familyName: patientFields.familyName.optional(),
    birthDate: patientFields.birthDate.optional(),
    gender: z.enum(['MALE', 'FEMALE', 'OTHER', 'UNKNOWN'], { error: 'cannot be cleared; use UNKNOWN.' }).optional(),
    phone: patientFields.phone.nullish(),
    email: patientFields.email.nullish(),
    address: patientFields.address.nullish(),
    emergencyContact: patientFields.emergencyContact.nullish(),
    bloodType: patientFields.bloodType.nullish(),
    allergies: patientFields.allergies.nullish(),
    chronicConditions: patientFields.chronicConditions.nullish(),
    currentMedications: patientFields.currentMedications.nullish(),
    medicalNotes: patientFields.medicalNotes.nullish(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'give at least one field to change.',
  });
export type UpdatePatientInput = z.infer<typeof updatePatientSchema>;

/** The medical fields present in an input (they need clinicult:medical:write). */
export function medicalFieldsIn(input: Record<string, unknown>): MedicalPatientField[] {
  return MEDICAL_PATIENT_FIELDS.filter((f) => input[f] !== undefined);
}

// ---------------------------------------------------------------------------------------------
// The visit

export const reasonSchema = requiredText(500);

export const VISIT_PRIORITIES = ['URGENT', 'ROUTINE'] as const;
export const prioritySchema = z.enum(VISIT_PRIORITIES, { message: 'give URGENT or ROUTINE.' });
export const cancelReasonSchema = optionalText(500).nullish();

/** Plausible ranges, with units, for vital signs (values outside are refused as typos or wrong units). */
export const VITAL_RANGES = {
  temperatureC: { min: 30, max: 45, unit: '°C', integer: false },
  heartRate: { min: 20, max: 250, unit: 'beats/min', integer: true },
  systolic: { min: 50, max: 260, unit: 'mmHg', integer: true },
  diastolic: { min: 20, max: 160, unit: 'mmHg', integer: true },
  respiratoryRate: { min: 4, max: 60, unit: 'breaths/min', integer: true },
  spo2: { min: 50, max: 100, unit: '%', integer: true },
  weightKg: { min: 0.3, max: 400, unit: 'kg', integer: false },
  heightCm: { min: 20, max: 250, unit: 'cm', integer: false },
} as const;
export type VitalSign = keyof typeof VITAL_RANGES;
export const VITAL_SIGNS = Object.keys(VITAL_RANGES) as VitalSign[];

const vital = (sign: VitalSign) => {
  const { min, max, unit } = VITAL_RANGES[sign];
  return z
    .number()
    .refine((v) => v >= min && v <= max, {
      error: (issue) => `${String(issue.input)} ${unit} is outside the plausible range ${min}–${max} ${unit}; check the value and its unit.`,
    })
    .nullish();
};

export const vitalsSchema = z
  .object(Object.fromEntries(VITAL_SIGNS.map((s) => [s, vital(s)])) as Record<VitalSign, ReturnType<typeof vital>>)
  .transform((v) => Object.fromEntries(Object.entries(v).filter(([, x]) => x != null)) as Partial<Record<VitalSign, number>>)
  .refine((v) => Object.keys(v).length > 0, { message: `give at least one vital sign (${VITAL_SIGNS.join(', ')}).` })
  .refine((v) => v.systolic === undefined || v.diastolic === undefined || v.diastolic < v.systolic, {
    message: 'must be lower than systolic.',
    path: ['diastolic'],
  });
export type VitalsValues = z.infer<typeof vitalsSchema>;

/** ICD-10 codes as written (upper-cased): a letter but U, two characters, then optionally a dot and 1–4 more. */
export const ICD10_PATTERN = /^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$/;

const diagnosisSchema = z.object({
  code: text()
    .trim()
    .toUpperCase()
    .refine((v) => ICD10_PATTERN.test(v), {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not an ICD-10 code; write it like J06.9 (a letter, two digits, then optionally a dot and up to 4 characters).`,
    }),
  description: optionalText(500).nullish(),
});

const prescriptionSchema = z.object({
  drug: requiredText(200),
  dose: requiredText(100),
  route: requiredText(50),
  frequency: requiredText(100),
  durationDays: z.number().int().min(1, 'at least 1 day.').max(365, 'at most 365 days.').nullish(),
  allergyOverride: optionalText(500).nullish(),
});

const MAX_ANSWERS_BYTES = 64 * 1024;

/** Template answers: a JSON object of answers keyed by field (checked against templates once they arrive). */
export const answersSchema = z
  .unknown()
  .refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'give an object of answers keyed by field, e.g. { "pain": 3 }.')
  .refine((v) => JSON.stringify(v).length <= MAX_ANSWERS_BYTES, `at most ${MAX_ANSWERS_BYTES / 1024} KB.`)
  .transform((v) => v as Record<string, unknown>);

export const consultationSchema = z
  .object({
    notes: optionalText(20_000).nullish(),
    diagnoses: z.array(diagnosisSchema).max(20, 'at most 20 entries.').nullish(),
    prescriptions: z.array(prescriptionSchema).max(30, 'at most 30 entries.').nullish(),
    templateAnswers: answersSchema.nullish(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'give at least one of notes, diagnoses, prescriptions, templateAnswers.',
  });
export type ConsultationValues = z.infer<typeof consultationSchema>;
