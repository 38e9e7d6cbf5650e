import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { PatientFields, patientErrors, patientInput, validatePatient, valuesOf, type PatientValues } from '../components/PatientForm';
import { ErrorBox, focusFirstError, graphQLErrors, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { PatientForEditDocument, UpdatePatientDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { useCan } from '../session';

/**
 * Keeping the record current (issue 17): demographics, contact, emergency contact and — for those
 * who may write it — the medical history, saved with the version the form was opened on. When
 * someone saved the patient meanwhile the API refuses the stale version and the form merges three
 * ways: what the other person changed in fields left alone here is taken in (an allergy they added
 * is never dropped unseen); where both changed a field, what was typed here stays, with what is
 * saved now beside it; saving again is then a choice.
 */
export default function EditPatient() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const allowed = useCan();
  const medical = allowed('medical:write');
  const { data, loading, error, refetch } = useQuery(PatientForEditDocument, { variables: { id, medical }, fetchPolicy: 'network-only' });
  const [update, { loading: saving }] = useMutation(UpdatePatientDocument);
  const [values, setValues] = useState<PatientValues | null>(null);
  // what the form was opened on (or last merged with): the base of the three-way merge
  const [base, setBase] = useState<PatientValues | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<PatientValues | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const patient = data?.patient;

  useEffect(() => {
    if (patient && values === null) {
      setValues(valuesOf(patient));
      setBase(valuesOf(patient));
      setVersion(patient.version);
    }
  }, [patient, values]);

  if (loading && !data) return <Loading what={t('chart.edit.loading')} />;
  if (!patient || !values) {
    return (
      <section>
        <PageTitle>{t('chart.common.notFound')}</PageTitle>
        <ErrorBox>{error && plainMessage(error)}</ErrorBox>
        <Link to="/patients">{t('chart.common.findPatient')}</Link>
      </section>
    );
  }

  const change = (patch: Partial<PatientValues>, clearing: string[]) => {
    setValues((old) => (old ? { ...old, ...patch } : old));
    setErrors((old) => Object.fromEntries(Object.entries(old).filter(([k]) => !clearing.includes(k))));
  };

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!values) return;
    const problems = validatePatient(values, t);
    setErrors(problems);
    if (Object.keys(problems).length) {
      focusFirstError(form.current);
      return;
    }
    try {
      await update({ variables: { id, medical, expectedVersion: version, input: patientInput(values, { medical, clearing: true }) } });
      navigate(`/patients/${id}`, { state: { updated: true } });
    } catch (e) {
      const first = graphQLErrors(e as Error)[0];
      if (first?.extensions?.code === 'CONFLICT') {
        // someone saved meanwhile: keep what was typed, show theirs beside it, and save over it only knowingly
        const latest = (await refetch()).data.patient;
        if (latest && base) {
          const theirs = valuesOf(latest);
          const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
          const merged = { ...values };
          const clashes = { ...theirs };
          for (const key of Object.keys(theirs) as Array<keyof PatientValues>) {
            const mineChanged = !same(values[key], base[key]);
            if (!mineChanged) (merged as Record<string, unknown>)[key] = theirs[key];
            // shown beside a field only where both changed it differently
            if (!mineChanged || same(values[key], theirs[key])) (clashes as Record<string, unknown>)[key] = merged[key];
          }
          setValues(merged);
          setBase(theirs);
          setConflict(clashes);
          setVersion(latest.version);
        }
        setErrors({});
        return;
      }
      setErrors(patientErrors(e as Error));
      focusFirstError(form.current);
    }
  }

  return (
    <section>
      <PageTitle>{t('chart.edit.title', { givenName: patient.givenName, familyName: patient.familyName })}</PageTitle>
      <form ref={form} onSubmit={(e) => void onSubmit(e)} noValidate className="form-grid">
        <ErrorBox>{errors._form}</ErrorBox>
        {conflict && (
          <div className="notice notice-warning" role="alert" tabIndex={-1} ref={(el) => el?.focus()}>
            <strong>{t('chart.edit.conflictTitle')}</strong> {t('chart.edit.conflictBody')}
          </div>
        )}
        <PatientFields values={values} errors={errors} onChange={change} medical={medical} saved={conflict} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? t('chart.common.saving') : conflict ? t('chart.edit.submitOver') : t('chart.edit.submit')}
          </button>
          <Link to={`/patients/${id}`}>{t('chart.common.cancel')}</Link>
        </div>
      </form>
    </section>
  );
}
