import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Link, useNavigate } from 'react-router-dom';
import { ErrorBox, focusFirstError, formatDate, InputField, Notice, PageTitle, SelectField, TextAreaField } from '../components/ui';
import { errorFor, fieldErrors, graphQLErrors, plainMessage } from '../errors';
import { RegisterPatientDocument, type Gender } from '../graphql';
import { useCan } from '../session';

interface Duplicate {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
}

const EMPTY = {
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
  contactPhone: '',
  bloodType: '',
  allergies: '',
  chronicConditions: '',
  currentMedications: '',
};
type Values = typeof EMPTY;

const list = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

function validate(v: Values): Record<string, string> {
  const e: Record<string, string> = {};
  if (!v.givenName.trim()) e.givenName = 'Enter the given name.';
  if (!v.familyName.trim()) e.familyName = 'Enter the family name.';
  if (!v.birthDate) e.birthDate = 'Enter the birth date.';
  else if (v.birthDate > new Date().toISOString().slice(0, 10)) e.birthDate = 'The birth date cannot be in the future.';
  if (v.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) e.email = 'Enter an email address like name@example.org, or leave it empty.';
  if (v.phone && !/^[+\d][\d\s().-]{5,}$/.test(v.phone)) e.phone = 'Enter a phone number (digits, spaces, + - ( )), or leave it empty.';
  if (v.country && !/^[A-Za-z]{2}$/.test(v.country)) e.country = 'Use the two-letter country code, e.g. ES.';
  if (v.contactPhone && !v.contactName.trim()) e.contactName = 'Enter the contact’s name, or clear the phone.';
  return e;
}

export default function RegisterPatient() {
  const allowed = useCan();
  const medical = allowed('medical:write');
  const navigate = useNavigate();
  const [register, { loading }] = useMutation(RegisterPatientDocument);
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [duplicates, setDuplicates] = useState<Duplicate[] | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const set = (key: keyof Values) => (e: { target: { value: string } }) => {
    setValues((old) => ({ ...old, [key]: e.target.value }));
    setErrors(({ [key]: _gone, ...rest }) => rest);
  };

  async function submit(allowPossibleDuplicate: boolean) {
    const problems = validate(values);
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    const v = values;
    const opt = (s: string) => (s.trim() ? s.trim() : undefined);
    const address = v.line1 || v.city || v.postalCode || v.country ? { line1: opt(v.line1), city: opt(v.city), postalCode: opt(v.postalCode), country: opt(v.country.toUpperCase()) } : undefined;
    const input = {
      givenName: v.givenName.trim(),
      familyName: v.familyName.trim(),
      birthDate: v.birthDate,
      gender: v.gender,
      nationalId: opt(v.nationalId),
      phone: opt(v.phone),
      email: opt(v.email),
      address,
      emergencyContact: v.contactName.trim() ? { name: v.contactName.trim(), phone: opt(v.contactPhone) } : undefined,
      ...(medical
        ? {
            bloodType: opt(v.bloodType),
            allergies: list(v.allergies).length ? list(v.allergies).map((substance) => ({ substance })) : undefined,
            chronicConditions: list(v.chronicConditions).length ? list(v.chronicConditions) : undefined,
            currentMedications: list(v.currentMedications).length ? list(v.currentMedications) : undefined,
          }
        : {}),
      allowPossibleDuplicate: allowPossibleDuplicate || undefined,
    };
    try {
      const { data } = await register({ variables: { input } });
      navigate(`/patients/${data!.registerPatient.id}`, { state: { registered: true } });
    } catch (error) {
      const first = graphQLErrors(error as Error)[0];
      if (first?.extensions?.reason === 'POSSIBLE_DUPLICATE') {
        setDuplicates((first.extensions.duplicates as Duplicate[]) ?? []);
        setErrors({});
        return;
      }
      const byField = fieldErrors(error as Error);
      const mapped: Record<string, string> = {};
      for (const key of Object.keys(EMPTY)) {
        const message = errorFor(byField, key === 'line1' || key === 'city' || key === 'postalCode' || key === 'country' ? `address.${key}` : key);
        if (message) mapped[key] = message;
      }
      if (Object.keys(mapped).length === 0) mapped._form = byField._form ?? plainMessage(error as Error);
      if (first?.extensions?.reason === 'MRN_TAKEN') mapped._form = first.message;
      setErrors(mapped);
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setDuplicates(null);
    void submit(false);
  }

  return (
    <section>
      <PageTitle>Register a patient</PageTitle>
      <form ref={form} onSubmit={onSubmit} noValidate className="form-grid">
        <ErrorBox>{errors._form}</ErrorBox>
        {duplicates && (
          <div className="notice notice-warning" role="alert" tabIndex={-1} ref={(el) => el?.focus()}>
            <p>
              <strong>This may be a patient already registered.</strong> Someone with the same name and birth date, or the same national id, exists:
            </p>
            <ul>
              {duplicates.map((d) => (
                <li key={d.id}>
                  <Link to={`/patients/${d.id}`}>
                    {d.familyName}, {d.givenName}
                  </Link>{' '}
                  — {d.mrn}, born {formatDate(d.birthDate)}
                </li>
              ))}
            </ul>
            <p>Open the existing chart if it is the same person. If you have checked that it is someone else:</p>
            <button type="button" onClick={() => void submit(true)} disabled={loading}>
              Register anyway: a different person
            </button>
          </div>
        )}
        <fieldset>
          <legend>Person</legend>
          <InputField label="Given name" value={values.givenName} onChange={set('givenName')} error={errors.givenName} required autoComplete="off" />
          <InputField label="Family name" value={values.familyName} onChange={set('familyName')} error={errors.familyName} required autoComplete="off" />
          <InputField label="Birth date" type="date" value={values.birthDate} onChange={set('birthDate')} error={errors.birthDate} required max={new Date().toISOString().slice(0, 10)} />
          <SelectField label="Gender" value={values.gender} onChange={set('gender')} error={errors.gender}>
            <option value="UNKNOWN">Unknown</option>
            <option value="FEMALE">Female</option>
            <option value="MALE">Male</option>
            <option value="OTHER">Other</option>
          </SelectField>
          <InputField label="National id" value={values.nationalId} onChange={set('nationalId')} error={errors.nationalId} help="DNI/NIE or passport, optional." />
        </fieldset>
        <fieldset>
          <legend>Contact</legend>
          <InputField label="Phone" type="tel" value={values.phone} onChange={set('phone')} error={errors.phone} />
          <InputField label="Email" type="email" value={values.email} onChange={set('email')} error={errors.email} />
          <InputField label="Address" value={values.line1} onChange={set('line1')} error={errors.line1} />
          <InputField label="City" value={values.city} onChange={set('city')} error={errors.city} />
          <InputField label="Postal code" value={values.postalCode} onChange={set('postalCode')} error={errors.postalCode} />
          <InputField label="Country" value={values.country} onChange={set('country')} error={errors.country} help="Two letters, e.g. ES." maxLength={2} />
          <InputField label="Emergency contact" value={values.contactName} onChange={set('contactName')} error={errors.contactName} />
          <InputField label="Emergency contact phone" type="tel" value={values.contactPhone} onChange={set('contactPhone')} error={errors.contactPhone} />
        </fieldset>
        {medical && (
          <fieldset>
            <legend>Medical (optional)</legend>
            <SelectField label="Blood type" value={values.bloodType} onChange={set('bloodType')} error={errors.bloodType}>
              <option value="">Not known</option>
              {['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'].map((t) => (
                <option key={t}>{t}</option>
              ))}
            </SelectField>
            <TextAreaField label="Allergies" value={values.allergies} onChange={set('allergies')} error={errors.allergies} help="Substances, separated by commas." rows={2} />
            <TextAreaField label="Chronic conditions" value={values.chronicConditions} onChange={set('chronicConditions')} error={errors.chronicConditions} help="Separated by commas." rows={2} />
            <TextAreaField label="Current medications" value={values.currentMedications} onChange={set('currentMedications')} error={errors.currentMedications} help="Separated by commas." rows={2} />
          </fieldset>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={loading}>
            {loading ? 'Registering…' : 'Register patient'}
          </button>
          <Link to="/patients">Cancel</Link>
        </div>
        {!medical && <Notice>Medical details are recorded by nurses and doctors.</Notice>}
      </form>
    </section>
  );
}
