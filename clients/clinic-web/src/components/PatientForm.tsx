import { errorFor, fieldErrors, InputField, plainMessage, SelectField, TextAreaField } from '@clinicult/web-ui';
import type { AllergySeverity, Gender } from '../graphql';

/**
 * A patient's form, shared by registering and editing (issue 17, "keep the record current"): the
 * values as typed, their checks before sending, the input the API takes, and the API's answer
 * mapped back onto the fields. Medical fields only for those who may write them (medical:write).
 */
export interface AllergyRow {
  substance: string;
  reaction: string;
  severity: AllergySeverity | '';
}

export const EMPTY_PATIENT = {
  givenName: '',
  familyName: '',
  birthDate: '',
  gender: 'UNKNOWN' as Gender,
  nationalId: '',
  phone: '',
  email: '',
  line1: '',
  city: '',
  postalCode: '',
  country: '',
  contactName: '',
  contactRelationship: '',
  contactPhone: '',
  bloodType: '',
  allergies: [] as AllergyRow[],
  chronicConditions: '',
  currentMedications: '',
};
export type PatientValues = typeof EMPTY_PATIENT;
type TextKey = Exclude<keyof PatientValues, 'allergies' | 'gender'>;

/** What the chart holds, as the form's values. */
export interface PatientRecord {
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: Gender;
  nationalId?: string | null;
  phone?: string | null;
  email?: string | null;
  address?: { line1?: string | null; city?: string | null; postalCode?: string | null; country?: string | null } | null;
  emergencyContact?: { name: string; relationship?: string | null; phone?: string | null } | null;
  bloodType?: string | null;
  allergies?: ReadonlyArray<{ substance: string; reaction?: string | null; severity?: AllergySeverity | null }> | null;
  chronicConditions?: readonly string[] | null;
  currentMedications?: readonly string[] | null;
}

export function valuesOf(p: PatientRecord): PatientValues {
  return {
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate,
    gender: p.gender,
    nationalId: p.nationalId ?? '',
    phone: p.phone ?? '',
    email: p.email ?? '',
    line1: p.address?.line1 ?? '',
    city: p.address?.city ?? '',
    postalCode: p.address?.postalCode ?? '',
    country: p.address?.country ?? '',
    contactName: p.emergencyContact?.name ?? '',
    contactRelationship: p.emergencyContact?.relationship ?? '',
    contactPhone: p.emergencyContact?.phone ?? '',
    bloodType: p.bloodType ?? '',
    allergies: (p.allergies ?? []).map((a) => ({ substance: a.substance, reaction: a.reaction ?? '', severity: a.severity ?? '' })),
    chronicConditions: (p.chronicConditions ?? []).join(', '),
    currentMedications: (p.currentMedications ?? []).join(', '),
  };
}

const list = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function validatePatient(v: PatientValues): Record<string, string> {
  const e: Record<string, string> = {};
  if (!v.givenName.trim()) e.givenName = 'Enter the given name.';
  if (!v.familyName.trim()) e.familyName = 'Enter the family name.';
  if (!v.birthDate) e.birthDate = 'Enter the birth date.';
  else if (v.birthDate > new Date().toISOString().slice(0, 10)) e.birthDate = 'The birth date cannot be in the future.';
  if (v.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) e.email = 'Enter an email address like name@example.org, or leave it empty.';
  if (v.phone && !/^[+\d][\d\s().-]{5,}$/.test(v.phone)) e.phone = 'Enter a phone number (digits, spaces, + - ( )), or leave it empty.';
  if (v.country && !/^[A-Za-z]{2}$/.test(v.country)) e.country = 'Use the two-letter country code, e.g. ES.';
  if ((v.contactPhone || v.contactRelationship) && !v.contactName.trim()) e.contactName = 'Enter the contact’s name, or clear the other contact fields.';
  v.allergies.forEach((a, i) => {
    if (!a.substance.trim() && (a.reaction.trim() || a.severity)) e[`allergies[${i}].substance`] = 'Enter the substance, or remove this allergy.';
  });
  return e;
}

/**
 * The API's input. `clearing`: an edit sends null for what was emptied (register leaves it out).
 * Medical fields only with `medical`.
 */
export function patientInput(v: PatientValues, { medical, clearing }: { medical: boolean; clearing: boolean }) {
  const none = clearing ? null : undefined;
  const opt = (s: string) => (s.trim() ? s.trim() : none);
  const address =
    v.line1 || v.city || v.postalCode || v.country
      ? { line1: opt(v.line1), city: opt(v.city), postalCode: opt(v.postalCode), country: v.country.trim() ? v.country.trim().toUpperCase() : none }
      : none;
  const allergies = v.allergies
    .filter((a) => a.substance.trim())
    .map((a) => ({ substance: a.substance.trim(), reaction: a.reaction.trim() || null, severity: a.severity || null }));
  const listOrNone = (text: string) => (list(text).length ? list(text) : clearing ? [] : undefined);
  return {
    givenName: v.givenName.trim(),
    familyName: v.familyName.trim(),
    birthDate: v.birthDate,
    gender: v.gender,
    nationalId: opt(v.nationalId),
    phone: opt(v.phone),
    email: opt(v.email),
    address,
    emergencyContact: v.contactName.trim() ? { name: v.contactName.trim(), relationship: opt(v.contactRelationship), phone: opt(v.contactPhone) } : none,
    ...(medical
      ? {
          bloodType: opt(v.bloodType),
          allergies: allergies.length ? allergies : clearing ? [] : undefined,
          chronicConditions: listOrNone(v.chronicConditions),
          currentMedications: listOrNone(v.currentMedications),
        }
      : {}),
  };
}

const ADDRESS_KEYS = new Set(['line1', 'city', 'postalCode', 'country']);
const CONTACT_KEYS: Record<string, string> = { contactName: 'emergencyContact.name', contactRelationship: 'emergencyContact.relationship', contactPhone: 'emergencyContact.phone' };

/** The API's refusal, on the fields it names (`_form` for the rest). */
export function patientErrors(error: Error): Record<string, string> {
  const byField = fieldErrors(error);
  const mapped: Record<string, string> = {};
  for (const key of Object.keys(EMPTY_PATIENT)) {
    const path = ADDRESS_KEYS.has(key) ? `address.${key}` : (CONTACT_KEYS[key] ?? key);
    const message = errorFor(byField, path) ?? errorFor(byField, `input.${path}`);
    if (message) mapped[key] = message;
  }
  for (const [path, message] of Object.entries(byField)) {
    const allergy = /^(?:input\.)?(allergies\[\d+\])(?:\.(\w+))?$/.exec(path);
    if (allergy) mapped[`${allergy[1]}.${allergy[2] ?? 'substance'}`] = message;
  }
  if (Object.keys(mapped).length === 0) mapped._form = byField._form ?? plainMessage(error);
  return mapped;
}

/** The fields, with each error beside its control; `saved`: what is saved now, shown beside fields that differ (an edit conflict). */
export function PatientFields({
  values,
  errors,
  onChange,
  medical,
  saved,
}: {
  values: PatientValues;
  errors: Record<string, string>;
  onChange: (patch: Partial<PatientValues>, clearing: string[]) => void;
  medical: boolean;
  saved?: PatientValues | null;
}) {
  const set = (key: TextKey | 'gender') => (e: { target: { value: string } }) => onChange({ [key]: e.target.value } as Partial<PatientValues>, [key]);
  const theirs = (key: TextKey) => (saved && saved[key] !== values[key] ? `Saved meanwhile: ${saved[key] || '(empty)'}` : undefined);
  const text = (key: TextKey, label: string, props: Record<string, unknown> = {}) => (
    <InputField label={label} value={values[key]} onChange={set(key)} error={errors[key]} help={theirs(key) ?? (props.help as string | undefined)} {...props} />
  );
  const setAllergy = (i: number, patch: Partial<AllergyRow>) =>
    onChange({ allergies: values.allergies.map((a, j) => (j === i ? { ...a, ...patch } : a)) }, [`allergies[${i}].substance`]);
  const savedAllergies = saved ? saved.allergies.map((a) => a.substance).join(', ') || '(none)' : null;
  const allergiesDiffer = saved && JSON.stringify(saved.allergies) !== JSON.stringify(values.allergies);
  return (
    <>
      <fieldset>
        <legend>Person</legend>
        {text('givenName', 'Given name', { required: true, autoComplete: 'off' })}
        {text('familyName', 'Family name', { required: true, autoComplete: 'off' })}
        {text('birthDate', 'Birth date', { required: true, type: 'date', max: new Date().toISOString().slice(0, 10) })}
        <SelectField label="Gender" value={values.gender} onChange={set('gender')} error={errors.gender}>
          <option value="UNKNOWN">Unknown</option>
          <option value="FEMALE">Female</option>
          <option value="MALE">Male</option>
          <option value="OTHER">Other</option>
        </SelectField>
        {text('nationalId', 'National id', { help: 'DNI/NIE or passport, optional.' })}
      </fieldset>
      <fieldset>
        <legend>Contact</legend>
        {text('phone', 'Phone', { type: 'tel' })}
        {text('email', 'Email', { type: 'email' })}
        {text('line1', 'Address')}
        {text('city', 'City')}
        {text('postalCode', 'Postal code')}
        {text('country', 'Country', { help: 'Two letters, e.g. ES.', maxLength: 2 })}
      </fieldset>
      <fieldset>
        <legend>Emergency contact</legend>
        {text('contactName', 'Emergency contact')}
        {text('contactRelationship', 'Relationship')}
        {text('contactPhone', 'Emergency contact phone', { type: 'tel' })}
      </fieldset>
      {medical && (
        <fieldset>
          <legend>Medical history</legend>
          <SelectField label="Blood type" value={values.bloodType} onChange={set('bloodType')} error={errors.bloodType} help={theirs('bloodType')}>
            <option value="">Not known</option>
            {['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </SelectField>
          <div className="allergies-editor" role="group" aria-label="Allergies">
            <p className="label-row">
              <strong>Allergies</strong>
              {allergiesDiffer && <span className="small"> — saved meanwhile: {savedAllergies}</span>}
            </p>
            {values.allergies.length === 0 && <p className="muted small">No known allergies.</p>}
            {values.allergies.map((a, i) => (
              <div className="row" key={i}>
                <InputField label={`Allergy ${i + 1}: substance`} value={a.substance} onChange={(e) => setAllergy(i, { substance: e.target.value })} error={errors[`allergies[${i}].substance`]} />
                <InputField label={`Allergy ${i + 1}: reaction`} value={a.reaction} onChange={(e) => setAllergy(i, { reaction: e.target.value })} error={errors[`allergies[${i}].reaction`]} />
                <SelectField label={`Allergy ${i + 1}: severity`} value={a.severity} onChange={(e) => setAllergy(i, { severity: e.target.value as AllergyRow['severity'] })}>
                  <option value="">Not known</option>
                  <option value="MILD">Mild</option>
                  <option value="MODERATE">Moderate</option>
                  <option value="SEVERE">Severe</option>
                </SelectField>
                <button type="button" className="link-button" onClick={() => onChange({ allergies: values.allergies.filter((_, j) => j !== i) }, [])}>
                  Remove allergy {i + 1}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => onChange({ allergies: [...values.allergies, { substance: '', reaction: '', severity: '' }] }, [])}>
              Add an allergy
            </button>
          </div>
          <TextAreaField label="Chronic conditions" value={values.chronicConditions} onChange={set('chronicConditions')} error={errors.chronicConditions} help={theirs('chronicConditions') ?? 'Separated by commas.'} rows={2} />
          <TextAreaField label="Current medications" value={values.currentMedications} onChange={set('currentMedications')} error={errors.currentMedications} help={theirs('currentMedications') ?? 'Separated by commas.'} rows={2} />
        </fieldset>
      )}
    </>
  );
}
