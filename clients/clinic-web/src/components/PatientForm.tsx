import { errorFor, fieldErrors, InputField, plainMessage, SelectField, TextAreaField } from '@clinicult/web-ui';
import type { TFunction } from 'i18next';
import type { AllergySeverity, Gender } from '../graphql';
import { useTranslation } from '../i18n';

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

/** The checks before sending; `t`: the caller's, so the messages are in the language shown. */
export function validatePatient(v: PatientValues, t: TFunction): Record<string, string> {
  const e: Record<string, string> = {};
  if (!v.givenName.trim()) e.givenName = t('chart.form.errors.givenName');
  if (!v.familyName.trim()) e.familyName = t('chart.form.errors.familyName');
  if (!v.birthDate) e.birthDate = t('chart.form.errors.birthDate');
  else if (v.birthDate > new Date().toISOString().slice(0, 10)) e.birthDate = t('chart.form.errors.birthDateFuture');
  if (v.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) e.email = t('chart.form.errors.email');
  if (v.phone && !/^[+\d][\d\s().-]{5,}$/.test(v.phone)) e.phone = t('chart.form.errors.phone');
  if (v.country && !/^[A-Za-z]{2}$/.test(v.country)) e.country = t('chart.form.errors.country');
  if ((v.contactPhone || v.contactRelationship) && !v.contactName.trim()) e.contactName = t('chart.form.errors.contactName');
  v.allergies.forEach((a, i) => {
    if (!a.substance.trim() && (a.reaction.trim() || a.severity)) e[`allergies[${i}].substance`] = t('chart.form.errors.allergySubstance');
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
  const { t } = useTranslation();
  const set = (key: TextKey | 'gender') => (e: { target: { value: string } }) => onChange({ [key]: e.target.value } as Partial<PatientValues>, [key]);
  const theirs = (key: TextKey) => (saved && saved[key] !== values[key] ? t('chart.form.savedMeanwhile', { value: saved[key] || t('chart.form.empty') }) : undefined);
  const text = (key: TextKey, label: string, props: Record<string, unknown> = {}) => (
    <InputField label={label} value={values[key]} onChange={set(key)} error={errors[key]} help={theirs(key) ?? (props.help as string | undefined)} {...props} />
  );
  const setAllergy = (i: number, patch: Partial<AllergyRow>) =>
    onChange({ allergies: values.allergies.map((a, j) => (j === i ? { ...a, ...patch } : a)) }, [`allergies[${i}].substance`]);
  const savedAllergies = saved ? saved.allergies.map((a) => a.substance).join(', ') || t('chart.form.none') : null;
  const allergiesDiffer = saved && JSON.stringify(saved.allergies) !== JSON.stringify(values.allergies);
  return (
    <>
      <fieldset>
        <legend>{t('chart.form.person')}</legend>
        {text('givenName', t('chart.fields.givenName'), { required: true, autoComplete: 'off' })}
        {text('familyName', t('chart.fields.familyName'), { required: true, autoComplete: 'off' })}
        {text('birthDate', t('chart.fields.birthDate'), { required: true, type: 'date', max: new Date().toISOString().slice(0, 10) })}
        <SelectField label={t('chart.fields.gender')} value={values.gender} onChange={set('gender')} error={errors.gender}>
          <option value="UNKNOWN">{t('chart.gender.UNKNOWN')}</option>
          <option value="FEMALE">{t('chart.gender.FEMALE')}</option>
          <option value="MALE">{t('chart.gender.MALE')}</option>
          <option value="OTHER">{t('chart.gender.OTHER')}</option>
        </SelectField>
        {text('nationalId', t('chart.fields.nationalId'), { help: t('chart.form.nationalIdHelp') })}
      </fieldset>
      <fieldset>
        <legend>{t('chart.form.contact')}</legend>
        {text('phone', t('chart.fields.phone'), { type: 'tel' })}
        {text('email', t('chart.fields.email'), { type: 'email' })}
        {text('line1', t('chart.fields.address'))}
        {text('city', t('chart.fields.city'))}
        {text('postalCode', t('chart.fields.postalCode'))}
        {text('country', t('chart.fields.country'), { help: t('chart.form.countryHelp'), maxLength: 2 })}
      </fieldset>
      <fieldset>
        <legend>{t('chart.form.emergencyContact')}</legend>
        {text('contactName', t('chart.fields.emergencyContact'))}
        {text('contactRelationship', t('chart.fields.relationship'))}
        {text('contactPhone', t('chart.fields.emergencyContactPhone'), { type: 'tel' })}
      </fieldset>
      {medical && (
        <fieldset>
          <legend>{t('chart.form.medicalHistory')}</legend>
          <SelectField label={t('chart.fields.bloodType')} value={values.bloodType} onChange={set('bloodType')} error={errors.bloodType} help={theirs('bloodType')}>
            <option value="">{t('chart.form.notKnown')}</option>
            {['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'].map((type) => (
              <option key={type}>{type}</option>
            ))}
          </SelectField>
          <div className="allergies-editor" role="group" aria-label={t('chart.fields.allergies')}>
            <p className="label-row">
              <strong>{t('chart.fields.allergies')}</strong>
              {allergiesDiffer && <span className="small"> {t('chart.form.allergiesSavedMeanwhile', { value: savedAllergies })}</span>}
            </p>
            {values.allergies.length === 0 && <p className="muted small">{t('chart.form.noAllergies')}</p>}
            {values.allergies.map((a, i) => (
              <div className="row" key={i}>
                <InputField label={t('chart.form.allergySubstance', { number: i + 1 })} value={a.substance} onChange={(e) => setAllergy(i, { substance: e.target.value })} error={errors[`allergies[${i}].substance`]} />
                <InputField label={t('chart.form.allergyReaction', { number: i + 1 })} value={a.reaction} onChange={(e) => setAllergy(i, { reaction: e.target.value })} error={errors[`allergies[${i}].reaction`]} />
                <SelectField label={t('chart.form.allergySeverity', { number: i + 1 })} value={a.severity} onChange={(e) => setAllergy(i, { severity: e.target.value as AllergyRow['severity'] })}>
                  <option value="">{t('chart.form.notKnown')}</option>
                  <option value="MILD">{t('chart.form.severity.MILD')}</option>
                  <option value="MODERATE">{t('chart.form.severity.MODERATE')}</option>
                  <option value="SEVERE">{t('chart.form.severity.SEVERE')}</option>
                </SelectField>
                <button type="button" className="link-button" onClick={() => onChange({ allergies: values.allergies.filter((_, j) => j !== i) }, [])}>
                  {t('chart.form.removeAllergy', { number: i + 1 })}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => onChange({ allergies: [...values.allergies, { substance: '', reaction: '', severity: '' }] }, [])}>
              {t('chart.form.addAllergy')}
            </button>
          </div>
          <TextAreaField label={t('chart.fields.chronicConditions')} value={values.chronicConditions} onChange={set('chronicConditions')} error={errors.chronicConditions} help={theirs('chronicConditions') ?? t('chart.form.commaHelp')} rows={2} />
          <TextAreaField label={t('chart.fields.currentMedications')} value={values.currentMedications} onChange={set('currentMedications')} error={errors.currentMedications} help={theirs('currentMedications') ?? t('chart.form.commaHelp')} rows={2} />
        </fieldset>
      )}
    </>
  );
}
