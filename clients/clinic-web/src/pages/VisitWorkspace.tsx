import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { DiagnosisOptions, useDiagnosisSuggestions } from '../components/DiagnosisSuggestions';
import { PriorityBadge } from '../components/QueueMarks';
import { SafetyBanner } from '../components/SafetyBanner';
import { answersOf, AnswersList, cleanAnswers, TemplateFields, validateAnswers, type Answers } from '../components/TemplateForm';
import { Empty, ErrorBox, errorFor, fieldErrors, focusFirstError, formatDateTime, formatNumber, graphQLErrors, InputField, Loading, Notice, PageTitle, plainMessage, TextAreaField } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';
import { StateBadge } from '../labels';
import {
  CancelVisitDocument,
  CompleteConsultationDocument,
  CurrentVisitDocument,
  FinishVisitDocument,
  RecordConsultationDocument,
  RecordIntakeDocument,
  RecordVitalsDocument,
  SendToDoctorDocument,
  SetVisitPriorityDocument,
  StartConsultationDocument,
  StartTriageDocument,
  type ConsultationInput,
  type CurrentVisit,
  type Diagnosis,
  type Prescription,
  type Vitals,
  type VitalsInput,
} from '../graphql';
import { useCan } from '../session';

function isStale(error: unknown) {
  return graphQLErrors(error as Error).some((e) => e.extensions?.reason === 'STALE_VERSION');
}

/** The variables every visit operation takes (finishing and cancelling take no `medical`). */
type VisitVariables = { visitId: string | number; expectedVersion?: number | null; medical?: boolean };
/** A visit mutation as useMutation gives it, with the variables of its document. */
type VisitMutate<V extends VisitVariables> = (options: { variables?: V }) => Promise<unknown>;
/** What a caller adds to the visit's own variables (vitals, answers, input, reason). */
type ExtraVariables<V extends VisitVariables> = NoInfer<Omit<V, keyof VisitVariables>>;

/** Runs a visit mutation with the version we saw; a stale version reloads the visit and says so. */
function useVisitAction(visit: CurrentVisit | null | undefined, medical: boolean, refetch: () => unknown) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // the newest version seen: a save followed at once by a transition must not send the old one
  const version = useRef(0);
  if (visit) version.current = Math.max(version.current, visit.version);
  async function run<V extends VisitVariables>(name: string, mutate: VisitMutate<V>, variables?: ExtraVariables<V>) {
    if (!visit) return false;
    setBusy(name);
    setError(null);
    try {
      const result = (await mutate({ variables: { visitId: visit.id, expectedVersion: version.current, medical, ...variables } as V })) as {
        data?: Record<string, { version?: number } | boolean | null>;
      };
      const answered = result.data?.[name];
      if (answered && typeof answered === 'object' && typeof answered.version === 'number') version.current = Math.max(version.current, answered.version);
      return true;
    } catch (e) {
      if (isStale(e)) {
        setError(t('visit.page.conflict'));
        await refetch();
      } else if (Object.keys(fieldErrors(e as Error)).length === 0) {
        // errors naming fields are shown by the form beside them (not again here, with their paths)
        setError(plainMessage(e as Error));
      }
      throw e;
    } finally {
      setBusy(null);
    }
  }
  return { run, error, setError, busy };
}

/** The vital signs and their limits; their words (label, unit) are looked up while rendering (`visit.vitals.label|unit.<key>`). */
const VITALS: { key: keyof VitalsInput & keyof Vitals; min: number; max: number; integer: boolean }[] = [
  { key: 'temperatureC', min: 30, max: 45, integer: false },
  { key: 'heartRate', min: 20, max: 250, integer: true },
  { key: 'systolic', min: 50, max: 260, integer: true },
  { key: 'diastolic', min: 20, max: 160, integer: true },
  { key: 'respiratoryRate', min: 4, max: 60, integer: true },
  { key: 'spo2', min: 50, max: 100, integer: true },
  { key: 'weightKg', min: 0.3, max: 400, integer: false },
  { key: 'heightCm', min: 20, max: 250, integer: false },
];

/** A vital sign's label and unit in the current language: call it while rendering (the language can change). */
function useVitalWords() {
  const { t } = useTranslation();
  return {
    t,
    label: (key: string) => t(`visit.vitals.label.${key}`),
    unit: (key: string) => t(`visit.vitals.unit.${key}`),
  };
}

function VitalsSummary({ vitals }: { vitals: Vitals | null | undefined }) {
  const { t, label, unit } = useVitalWords();
  if (!vitals) return <p className="muted">{t('visit.vitals.none')}</p>;
  const shown = VITALS.filter((v) => vitals[v.key] !== null && vitals[v.key] !== undefined);
  return (
    <dl className="facts vitals">
      {shown.map((v) => (
        <div className="fact" key={v.key}>
          <dt>{label(v.key)}</dt>
          <dd>
            {formatNumber(vitals[v.key] as number)} {unit(v.key)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function VitalsForm({ visit, onSave }: { visit: CurrentVisit; onSave: (vitals: VitalsInput) => Promise<unknown> }) {
  const { t, label, unit } = useVitalWords();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(VITALS.map((v) => [v.key, visit.vitals?.[v.key] != null ? formatNumber(visit.vitals[v.key] as number, { useGrouping: false }) : ''])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const problems: Record<string, string> = {};
    const vitals: Record<string, number> = {};
    for (const v of VITALS) {
      const raw = values[v.key]?.trim() ?? '';
      if (!raw) continue;
      const n = Number(raw.replace(',', '.'));
      if (!Number.isFinite(n)) problems[v.key] = t('visit.vitals.notNumber', { label: label(v.key) });
      else if (v.integer && !Number.isInteger(n)) problems[v.key] = t('visit.vitals.notWhole', { label: label(v.key) });
      else if (n < v.min || n > v.max) problems[v.key] = t('visit.vitals.outOfRange', { label: label(v.key), min: formatNumber(v.min), max: formatNumber(v.max), symbol: unit(v.key) });
      else vitals[v.key] = n;
    }
    if (vitals.systolic !== undefined && vitals.diastolic !== undefined && vitals.diastolic >= vitals.systolic) {
      problems.diastolic = t('visit.vitals.diastolicBelow');
    }
    if (Object.keys(problems).length === 0 && Object.keys(vitals).length === 0) problems.temperatureC = t('visit.vitals.atLeastOne');
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    try {
      await onSave(vitals);
      setSaved(true);
    } catch (e) {
      const byField = fieldErrors(e as Error);
      const mapped: Record<string, string> = {};
      for (const v of VITALS) {
        const m = errorFor(byField, `vitals.${v.key}`) ?? errorFor(byField, v.key);
        if (m) mapped[v.key] = m;
      }
      setErrors(mapped);
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  return (
    <form ref={form} onSubmit={onSubmit} noValidate aria-labelledby="vitals-form-title" className="panel">
      <h3 id="vitals-form-title">{t('visit.vitals.title')}</h3>
      <div className="grid-4">
        {VITALS.map((v) => (
          <InputField
            key={v.key}
            label={t('visit.vitals.field', { label: label(v.key), symbol: unit(v.key) })}
            inputMode="decimal"
            value={values[v.key] ?? ''}
            onChange={(e) => {
              setValues((old) => ({ ...old, [v.key]: e.target.value }));
              setErrors(({ [v.key]: _gone, ...rest }) => rest);
            }}
            error={errors[v.key]}
          />
        ))}
      </div>
      <button type="submit">{t('visit.vitals.save')}</button>
      {saved && <span className="saved" role="status"> {t('visit.common.saved')}</span>}
    </form>
  );
}

function IntakeForm({ visit, onSave }: { visit: CurrentVisit; onSave: (answers: Answers) => Promise<unknown> }) {
  const { t } = useTranslation();
  const fields = visit.template!.fields;
  const [answers, setAnswers] = useState<Answers>(() => answersOf(visit.intakeAnswers));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const problems = validateAnswers(fields, answers);
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    try {
      await onSave(cleanAnswers(fields, answers));
      setSaved(true);
    } catch (e) {
      const byField = fieldErrors(e as Error);
      const mapped: Record<string, string> = {};
      for (const f of fields) {
        const m = errorFor(byField, `answers.${f.key}`) ?? errorFor(byField, f.key);
        if (m) mapped[f.key] = m;
      }
      setErrors(mapped);
    }
  }
  return (
    <form ref={form} onSubmit={onSubmit} noValidate className="panel" aria-labelledby="intake-title">
      <h3 id="intake-title">
        {t('visit.intake.title', { name: visit.template!.name })} <span className="muted small">{t('visit.common.version', { version: visit.template!.version })}</span>
      </h3>
      <TemplateFields fields={fields} answers={answers} errors={errors} onChange={setAnswers} idPrefix="intake" />
      <button type="submit">{t('visit.intake.save')}</button>
      {saved && <span className="saved" role="status"> {t('visit.common.saved')}</span>}
    </form>
  );
}

const ICD10 = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

/** One diagnosis: the code (the clinic's earlier codes offered as the doctor types) and its description. */
function DiagnosisRow({
  index,
  diagnosis,
  onChange,
  onRemove,
  codeError,
  descriptionError,
}: {
  index: number;
  diagnosis: Diagnosis;
  onChange: (next: Diagnosis) => void;
  onRemove: () => void;
  codeError?: string;
  descriptionError?: string;
}) {
  const { t } = useTranslation();
  const suggestions = useDiagnosisSuggestions(diagnosis.code);
  const listId = `diagnosis-codes-${index}`;
  return (
    <div className="row">
      <InputField
        label={t('visit.consultation.code', { number: index + 1 })}
        value={diagnosis.code}
        list={listId}
        autoComplete="off"
        onChange={(e) => {
          const code = e.target.value;
          // a code picked from the clinic's own brings the description it was given with
          const known = suggestions.find((s) => s.code === code.trim().toUpperCase());
          onChange({ ...diagnosis, code, description: diagnosis.description || known?.description || '' });
        }}
        error={codeError}
        placeholder="J06.9"
      />
      <DiagnosisOptions id={listId} suggestions={suggestions} />
      <InputField
        label={t('visit.consultation.description', { number: index + 1 })}
        value={diagnosis.description ?? ''}
        onChange={(e) => onChange({ ...diagnosis, description: e.target.value })}
        error={descriptionError}
      />
      <button type="button" className="link-button" onClick={onRemove}>
        {t('visit.consultation.removeDiagnosis', { number: index + 1 })}
      </button>
    </div>
  );
}

function ConsultationForm({
  visit,
  onSave,
  onComplete,
  canComplete,
}: {
  visit: CurrentVisit;
  onSave: (input: ConsultationInput) => Promise<unknown>;
  onComplete: () => Promise<unknown>;
  canComplete: boolean;
}) {
  const { t } = useTranslation();
  const noteTemplate = visit.template?.kind === 'NOTE' ? visit.template : null;
  const [notes, setNotes] = useState(visit.notes ?? '');
  const [diagnoses, setDiagnoses] = useState<Diagnosis[]>(visit.diagnoses?.length ? visit.diagnoses.map((d) => ({ ...d })) : []);
  const [prescriptions, setPrescriptions] = useState<(Omit<Prescription, 'durationDays' | 'allergyOverride'> & { durationDays: string; allergyOverride: string })[]>(
    (visit.prescriptions ?? []).map((p) => ({ ...p, durationDays: p.durationDays == null ? '' : String(p.durationDays), allergyOverride: p.allergyOverride ?? '' })),
  );
  const [answers, setAnswers] = useState<Answers>(() => answersOf(visit.templateAnswers));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  function validate() {
    const problems: Record<string, string> = {};
    diagnoses.forEach((d, i) => {
      const code = d.code.trim().toUpperCase();
      if (!code) problems[`diagnoses[${i}].code`] = t('visit.consultation.codeMissing');
      else if (!ICD10.test(code)) problems[`diagnoses[${i}].code`] = t('visit.consultation.codeInvalid');
    });
    prescriptions.forEach((p, i) => {
      for (const key of ['drug', 'dose', 'route', 'frequency'] as const) {
        if (!p[key].trim()) problems[`prescriptions[${i}].${key}`] = t(`visit.consultation.missing.${key}`);
      }
      if (p.durationDays && !/^\d+$/.test(p.durationDays.trim())) problems[`prescriptions[${i}].durationDays`] = t('visit.consultation.daysInvalid');
    });
    if (noteTemplate) Object.assign(problems, prefixed(validateAnswers(noteTemplate.fields, answers)));
    return problems;
  }
  const prefixed = (e: Record<string, string>) => Object.fromEntries(Object.entries(e).map(([k, v]) => [`templateAnswers.${k}`, v]));

  async function save(): Promise<boolean> {
    setSaved(false);
    const problems = validate();
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return false;
    }
    const input: ConsultationInput = {
      notes: notes.trim() || null,
      diagnoses: diagnoses.map((d) => ({ code: d.code.trim().toUpperCase(), description: d.description?.trim() || null })),
      prescriptions: prescriptions.map((p) => ({
        drug: p.drug.trim(),
        dose: p.dose.trim(),
        route: p.route.trim(),
        frequency: p.frequency.trim(),
        durationDays: p.durationDays.trim() ? Number(p.durationDays) : null,
        allergyOverride: p.allergyOverride.trim() || null,
      })),
    };
    if (noteTemplate) input.templateAnswers = cleanAnswers(noteTemplate.fields, answers);
    try {
      await onSave(input);
      setSaved(true);
      return true;
    } catch (e) {
      const byField = fieldErrors(e as Error);
      const mapped: Record<string, string> = {};
      for (const [k, v] of Object.entries(byField)) mapped[k.replace(/^input\./, '')] = v;
      setErrors(mapped);
      requestAnimationFrame(() => focusFirstError(form.current));
      return false;
    }
  }

  const err = (key: string) => errors[key];
  const clear = (key: string) => setErrors(({ [key]: _gone, ...rest }) => rest);
  // the server's refusal of a prescription matching a recorded allergy (ALLERGY_MATCH), one line per prescription
  const allergyWarnings = Object.entries(errors)
    .filter(([k]) => /^prescriptions\[\d+\]\.allergyOverride$/.test(k))
    .map(([, message]) => message);
  const templateErrors = Object.fromEntries(
    Object.entries(errors)
      .filter(([k]) => k.startsWith('templateAnswers.'))
      .map(([k, v]) => [k.slice('templateAnswers.'.length), v]),
  );

  return (
    <form
      ref={form}
      noValidate
      className="panel"
      aria-labelledby="consult-title"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id="consult-title">{t('visit.consultation.title')}</h3>
      {noteTemplate && (
        <fieldset>
          <legend>
            {noteTemplate.name} <span className="muted small">{t('visit.common.version', { version: noteTemplate.version })}</span>
          </legend>
          <TemplateFields fields={noteTemplate.fields} answers={answers} errors={templateErrors} onChange={setAnswers} idPrefix="note" />
        </fieldset>
      )}
      <fieldset>
        <legend>{t('visit.consultation.diagnoses')}</legend>
        {diagnoses.length === 0 && <p className="muted small">{t('visit.consultation.noDiagnosis')}</p>}
        {diagnoses.map((d, i) => (
          <DiagnosisRow
            key={i}
            index={i}
            diagnosis={d}
            onChange={(next) => {
              setDiagnoses((all) => all.map((x, j) => (j === i ? next : x)));
              clear(`diagnoses[${i}].code`);
            }}
            onRemove={() => setDiagnoses((all) => all.filter((_, j) => j !== i))}
            codeError={err(`diagnoses[${i}].code`) ?? err(`diagnoses[${i}]`)}
            descriptionError={err(`diagnoses[${i}].description`)}
          />
        ))}
        <button type="button" onClick={() => setDiagnoses((all) => [...all, { code: '', description: '' }])}>
          {t('visit.consultation.addDiagnosis')}
        </button>
      </fieldset>
      <TextAreaField label={t('visit.consultation.notes')} value={notes} onChange={(e) => setNotes(e.target.value)} error={err('notes')} rows={4} />
      <fieldset>
        <legend>{t('visit.consultation.prescriptions')}</legend>
        {allergyWarnings.length > 0 && (
          <div role="alert" className="notice notice-warning">
            <strong>{t('visit.consultation.allergyWarning')}</strong>
            <ul>
              {allergyWarnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
            {t('visit.consultation.allergyHelp')}
          </div>
        )}
        {prescriptions.length === 0 && <p className="muted small">{t('visit.consultation.noPrescription')}</p>}
        {prescriptions.map((p, i) => (
          <div className="row" key={i}>
            {(['drug', 'dose', 'route', 'frequency'] as const).map((key) => (
              <InputField
                key={key}
                label={t(`visit.consultation.prescription.${key}`, { number: i + 1 })}
                value={p[key]}
                onChange={(e) => setPrescriptions((all) => all.map((x, j) => (j === i ? { ...x, [key]: e.target.value } : x)))}
                error={err(`prescriptions[${i}].${key}`)}
              />
            ))}
            <InputField
              label={t('visit.consultation.prescription.days', { number: i + 1 })}
              inputMode="numeric"
              value={p.durationDays}
              onChange={(e) => setPrescriptions((all) => all.map((x, j) => (j === i ? { ...x, durationDays: e.target.value } : x)))}
              error={err(`prescriptions[${i}].durationDays`)}
            />
            {(err(`prescriptions[${i}].allergyOverride`) || p.allergyOverride) && (
              <TextAreaField
                className="allergy-override"
                label={t('visit.consultation.prescription.allergyOverride', { number: i + 1 })}
                value={p.allergyOverride}
                rows={2}
                onChange={(e) => {
                  setPrescriptions((all) => all.map((x, j) => (j === i ? { ...x, allergyOverride: e.target.value } : x)));
                }}
                error={err(`prescriptions[${i}].allergyOverride`)}
              />
            )}
            <button type="button" className="link-button" onClick={() => setPrescriptions((all) => all.filter((_, j) => j !== i))}>
              {t('visit.consultation.removePrescription', { number: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setPrescriptions((all) => [...all, { drug: '', dose: '', route: 'oral', frequency: '', durationDays: '', allergyOverride: '' }])}>
          {t('visit.consultation.addPrescription')}
        </button>
      </fieldset>
      <ErrorBox>{errors._form}</ErrorBox>
      <div className="form-actions">
        <button type="submit">{t('visit.consultation.save')}</button>
        {canComplete && (
          <button
            type="button"
            className="primary"
            onClick={async () => {
              if (await save()) await onComplete().catch(() => {});
            }}
          >
            {t('visit.consultation.saveAndComplete')}
          </button>
        )}
        {saved && <span className="saved" role="status">{t('visit.common.saved')}</span>}
      </div>
    </form>
  );
}

function CancelForm({ onCancel }: { onCancel: (reason: string) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  if (!open) {
    return (
      <button type="button" className="danger-outline" onClick={() => setOpen(true)}>
        {t('visit.cancel.open')}
      </button>
    );
  }
  return (
    <form
      className="panel danger-zone"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        if (!reason.trim()) {
          setError(t('visit.cancel.reasonMissing'));
          return;
        }
        await onCancel(reason.trim()).catch(() => {});
      }}
    >
      <InputField label={t('visit.cancel.reason')} value={reason} onChange={(e) => setReason(e.target.value)} error={error} autoFocus required />
      <button type="submit" className="danger">
        {t('visit.cancel.submit')}
      </button>{' '}
      <button type="button" className="link-button" onClick={() => setOpen(false)}>
        {t('visit.cancel.keep')}
      </button>
    </form>
  );
}

export default function VisitWorkspace() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const allowed = useCan();
  const medical = allowed('medical:read');
  const { data, loading, error, refetch } = useQuery(CurrentVisitDocument, { variables: { id, medical } });
  const visit = data?.currentVisit;
  const action = useVisitAction(visit, medical, refetch);
  const [startTriage] = useMutation(StartTriageDocument);
  const [recordVitals] = useMutation(RecordVitalsDocument);
  const [recordIntake] = useMutation(RecordIntakeDocument);
  const [sendToDoctor] = useMutation(SendToDoctorDocument);
  const [setVisitPriority] = useMutation(SetVisitPriorityDocument);
  const [startConsultation] = useMutation(StartConsultationDocument);
  const [recordConsultation] = useMutation(RecordConsultationDocument);
  const [completeConsultation] = useMutation(CompleteConsultationDocument);
  const [finishVisit] = useMutation(FinishVisitDocument);
  const [cancelVisit] = useMutation(CancelVisitDocument);
  const stepRef = useRef<HTMLHeadingElement>(null);
  const lastState = useRef<string | undefined>(undefined);

  // a new state: move focus to "Your next step" so keyboard and screen-reader users follow along
  useEffect(() => {
    if (visit && lastState.current && lastState.current !== visit.state) stepRef.current?.focus();
    lastState.current = visit?.state;
  }, [visit?.state, visit]);

  if (loading && !data) return <Loading what={t('visit.page.loading')} />;
  if (!visit) {
    return (
      <section>
        <PageTitle>{t('visit.page.notInProgress')}</PageTitle>
        <ErrorBox>{error && plainMessage(error)}</ErrorBox>
        <p>{t('visit.page.notInProgressBody')}</p>
        <Link to="/">{t('visit.page.backToQueue')}</Link>
      </section>
    );
  }

  const can = (transition: string) => visit.allowedTransitions.includes(transition);
  const run = action.run;
  const archive = async <V extends VisitVariables>(name: string, mutate: VisitMutate<V>, variables: ExtraVariables<V>, message: string) => {
    if (!(await run<V>(name, (o) => mutate({ variables: { ...o.variables, medical: undefined } as V }), variables).catch(() => false))) return;
    navigate(`/patients/${visit.patient.id}`, { state: { archived: visit.id, message } });
  };
  const intake = visit.template?.kind === 'INTAKE' ? visit.template : null;
  // cancelling and the priority are beside the way forward, not steps of it
  const steps = visit.allowedTransitions.filter((transition) => transition !== 'cancelVisit' && transition !== 'setVisitPriority');

  return (
    <section>
      <PageTitle>{t('visit.page.title', { givenName: visit.patient.givenName, familyName: visit.patient.familyName })}</PageTitle>
      <div className="visit-head">
        <StateBadge state={visit.state} />
        <PriorityBadge priority={visit.priority} />
        <span>{visit.reason}</span>
        {can('setVisitPriority') && (
          <button
            type="button"
            className="small"
            disabled={!!action.busy}
            onClick={() => void run('setVisitPriority', setVisitPriority, { priority: visit.priority === 'URGENT' ? 'ROUTINE' : 'URGENT' }).catch(() => {})}
          >
            {visit.priority === 'URGENT' ? t('visit.page.markRoutine') : t('visit.page.markUrgent')}
          </button>
        )}
        <Link to={`/patients/${visit.patient.id}`}>{t('visit.page.patientChart', { mrn: visit.patient.mrn })}</Link>
        {visit.template && (
          <span className="muted small">
            {t('visit.page.template', { name: visit.template.name, version: visit.template.version })}
          </span>
        )}
      </div>
      {visit.stale && <Notice tone="warning">{t('visit.page.staleDay')}</Notice>}
      {medical && <SafetyBanner facts={visit.patient} />}

      <div className="workspace">
        <div className="main-col">
          <section className="card next-step-card" aria-labelledby="next-title">
            <h2 id="next-title" ref={stepRef} tabIndex={-1}>
              {t('visit.next.title')}
            </h2>
            <ErrorBox>{action.error}</ErrorBox>
            {steps.length === 0 && <Empty>{t('visit.next.nothing', { who: t(`visit.next.by.${visit.state}`, { defaultValue: '' }) })}</Empty>}

            {can('startTriage') && (
              <button type="button" className="primary" disabled={!!action.busy} onClick={() => void run('startTriage', startTriage).catch(() => {})}>
                {t('visit.next.startTriage')}
              </button>
            )}
            {can('recordVitals') && <VitalsForm visit={visit} onSave={(vitals) => run('recordVitals', recordVitals, { vitals })} />}
            {can('recordIntake') && intake && <IntakeForm visit={visit} onSave={(answers) => run('recordIntake', recordIntake, { answers })} />}
            {can('sendToDoctor') && (
              <div className="panel">
                {!visit.vitals && <p className="muted small">{t('visit.next.needVitals')}</p>}
                <button type="button" className="primary" disabled={!!action.busy} onClick={() => void run('sendToDoctor', sendToDoctor).catch(() => {})}>
                  {t('visit.next.sendToDoctor')}
                </button>
              </div>
            )}
            {can('startConsultation') && (
              <button type="button" className="primary" disabled={!!action.busy} onClick={() => void run('startConsultation', startConsultation).catch(() => {})}>
                {t('visit.next.startConsultation')}
              </button>
            )}
            {can('recordConsultation') && (
              <ConsultationForm
                visit={visit}
                onSave={(input) => run('recordConsultation', recordConsultation, { input })}
                onComplete={() => run('completeConsultation', completeConsultation)}
                canComplete={can('completeConsultation')}
              />
            )}
            {can('completeConsultation') && !can('recordConsultation') && (
              <button type="button" className="primary" onClick={() => void run('completeConsultation', completeConsultation).catch(() => {})}>
                {t('visit.next.completeConsultation')}
              </button>
            )}
            {can('finishVisit') && (
              <button
                type="button"
                className="primary"
                disabled={!!action.busy}
                onClick={() => void archive('finishVisit', finishVisit, {}, t('visit.page.finished'))}
              >
                {t('visit.next.finish')}
              </button>
            )}
            {can('cancelVisit') && (
              <div className="cancel">
                <CancelForm onCancel={(reason) => archive('cancelVisit', cancelVisit, { reason }, t('visit.page.cancelled'))} />
              </div>
            )}
          </section>

          {medical && (
            <section className="card" aria-labelledby="clinical-title">
              <h2 id="clinical-title">{t('visit.record.title')}</h2>
              <h3>{t('visit.vitals.title')}</h3>
              <VitalsSummary vitals={visit.vitals} />
              {intake && (
                <>
                  <h3>{t('visit.intake.recorded', { name: intake.name })}</h3>
                  <AnswersList fields={intake.fields} answers={visit.intakeAnswers} />
                </>
              )}
              {visit.state !== 'WITH_DOCTOR' && (visit.diagnoses?.length || visit.notes || visit.prescriptions?.length) ? (
                <>
                  <h3>{t('visit.consultation.title')}</h3>
                  {visit.diagnoses?.map((d) => (
                    <span className="chip" key={d.code}>
                      {d.code} {d.description}
                    </span>
                  ))}
                  {visit.notes && <p className="notes">{visit.notes}</p>}
                  {visit.prescriptions && visit.prescriptions.length > 0 && (
                    <ul>
                      {visit.prescriptions.map((p, i) => (
                        <li key={i}>
                          {p.drug} {p.dose}, {p.route}, {p.frequency}
                          {p.durationDays ? `, ${t('visit.record.days', { count: p.durationDays })}` : ''}
                          {p.allergyOverride && <div className="small">{t('visit.record.overridden', { reason: p.allergyOverride })}</div>}
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              ) : null}
            </section>
          )}
        </div>

        <aside className="card side-col" aria-labelledby="timeline-title">
          <h2 id="timeline-title">{t('visit.timeline.title')}</h2>
          <ol className="timeline">
            {visit.timeline.map((entry, i) => (
              <li key={i}>
                <strong>{t(`states.${entry.to}`, { defaultValue: entry.to })}</strong>
                <div className="muted small">
                  {formatDateTime(entry.at)} · {entry.by.displayName}
                </div>
              </li>
            ))}
          </ol>
          <dl className="facts small">
            <div className="fact">
              <dt>{t('visit.timeline.checkedInBy')}</dt>
              <dd>{visit.checkedInBy.displayName}</dd>
            </div>
            <div className="fact">
              <dt>{t('visit.timeline.nurse')}</dt>
              <dd>{visit.nurse?.displayName ?? '—'}</dd>
            </div>
            <div className="fact">
              <dt>{t('visit.timeline.doctor')}</dt>
              <dd>{visit.doctor?.displayName ?? '—'}</dd>
            </div>
            <div className="fact">
              <dt>{t('visit.timeline.inState')}</dt>
              <dd>{t('visit.timeline.minutes', { minutes: visit.minutesInState })}</dd>
            </div>
          </dl>
        </aside>
      </div>
    </section>
  );
}
