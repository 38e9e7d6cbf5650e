import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Link, useNavigate } from 'react-router-dom';
import { EMPTY_PATIENT, PatientFields, patientErrors, patientInput, validatePatient, type PatientValues } from '../components/PatientForm';
import { ErrorBox, focusFirstError, formatDate, graphQLErrors, Notice, PageTitle } from '@clinicult/web-ui';
import { RegisterPatientDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { useCan } from '../session';

interface Duplicate {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
}

export default function RegisterPatient() {
  const { t } = useTranslation();
  const allowed = useCan();
  const medical = allowed('medical:write');
  const navigate = useNavigate();
  const [register, { loading }] = useMutation(RegisterPatientDocument);
  const [values, setValues] = useState<PatientValues>(EMPTY_PATIENT);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [duplicates, setDuplicates] = useState<Duplicate[] | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const change = (patch: Partial<PatientValues>, clearing: string[]) => {
    setValues((old) => ({ ...old, ...patch }));
    setErrors((old) => Object.fromEntries(Object.entries(old).filter(([k]) => !clearing.includes(k))));
  };

  async function submit(allowPossibleDuplicate: boolean) {
    const problems = validatePatient(values, t);
    setErrors(problems);
    if (Object.keys(problems).length) {
      focusFirstError(form.current);
      return;
    }
    const input = { ...patientInput(values, { medical, clearing: false }), allowPossibleDuplicate: allowPossibleDuplicate || undefined };
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
      const mapped = patientErrors(error as Error);
      if (first?.extensions?.reason === 'MRN_TAKEN') mapped._form = first.message;
      setErrors(mapped);
      focusFirstError(form.current);
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setDuplicates(null);
    void submit(false);
  }

  return (
    <section>
      <PageTitle>{t('chart.register.title')}</PageTitle>
      <form ref={form} onSubmit={onSubmit} noValidate className="form-grid">
        <ErrorBox>{errors._form}</ErrorBox>
        {duplicates && (
          <div className="notice notice-warning" role="alert" tabIndex={-1} ref={(el) => el?.focus()}>
            <p>
              <strong>{t('chart.register.duplicateTitle')}</strong> {t('chart.register.duplicateBody')}
            </p>
            <ul>
              {duplicates.map((d) => (
                <li key={d.id}>
                  <Link to={`/patients/${d.id}`}>
                    {d.familyName}, {d.givenName}
                  </Link>{' '}
                  {t('chart.register.duplicateInfo', { mrn: d.mrn, date: formatDate(d.birthDate) })}
                </li>
              ))}
            </ul>
            <p>{t('chart.register.sameOrDifferent')}</p>
            <button type="button" onClick={() => void submit(true)} disabled={loading}>
              {t('chart.register.anyway')}
            </button>
          </div>
        )}
        <PatientFields values={values} errors={errors} onChange={change} medical={medical} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={loading}>
            {loading ? t('chart.register.registering') : t('chart.register.submit')}
          </button>
          <Link to="/patients">{t('chart.common.cancel')}</Link>
        </div>
        {!medical && <Notice>{t('chart.register.medicalNote')}</Notice>}
      </form>
    </section>
  );
}
