import { useEffect } from 'react';
import { useQuery } from '@apollo/client';
import { Link, useParams } from 'react-router-dom';
import { ErrorBox, formatDate, formatDateTime, formatNumber, Loading, plainMessage } from '@clinicult/web-ui';
import { PrintableVisitDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { age } from '../labels';
import { useCan, useSession } from '../session';

/** The vital signs written as one reading each (blood pressure is both pressures). */
type Sign = 'temperatureC' | 'heartRate' | 'respiratoryRate' | 'spo2' | 'weightKg' | 'heightCm';

/**
 * A finished visit on paper (issue 17): the visit summary, or the prescription to hand the patient.
 * A page of its own without the app's chrome, laid out for A4 by the print stylesheet; "Print" opens
 * the browser's dialog (which also saves it as a PDF). The clinical parts need medical:read.
 */
export default function PrintVisit({ kind }: { kind: 'summary' | 'prescription' }) {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const allowed = useCan();
  const session = useSession();
  const medical = allowed('medical:read');
  const { data, loading, error } = useQuery(PrintableVisitDocument, { variables: { id, medical }, fetchPolicy: 'network-only' });
  const visit = data?.visit;
  const title = kind === 'prescription' ? t('print.prescription') : t('print.summary');
  useEffect(() => {
    if (visit) document.title = t('print.documentTitle', { title, givenName: visit.patient.givenName, familyName: visit.patient.familyName });
  }, [t, title, visit]);

  if (loading && !data) return <Loading what={t('visit.page.loading')} />;
  if (!visit) return <ErrorBox>{error ? plainMessage(error) : t('print.notFound')}</ErrorBox>;
  const patient = visit.patient;
  // a vital sign on one line: its name and unit as the visit writes them, its value in the app's language
  const sign = (key: Sign, value: number, label = t(`visit.vitals.label.${key}`)) => ({ label, value: formatNumber(value), unit: t(`visit.vitals.unit.${key}`) });
  const reading = (key: Sign, value: number, label?: string) => t('print.vitals.reading', sign(key, value, label));
  const perMinute = (key: Sign, value: number) => t('print.vitals.perMinute', sign(key, value));

  return (
    <main className={`print-page print-${kind}`}>
      <div className="print-toolbar no-print">
        <Link to={`/patients/${patient.id}`}>{t('print.backToChart')}</Link>
        <button type="button" className="primary" onClick={() => window.print()}>
          {t('print.print')}
        </button>
      </div>
      <header className="print-header">
        <div>
          <strong className="print-clinic">{session?.clinicName ?? 'Clinicult'}</strong>
        </div>
        <h1>{title}</h1>
      </header>
      <dl className="print-facts">
        <dt>{t('print.patient')}</dt>
        <dd>
          {patient.familyName}, {patient.givenName}
        </dd>
        <dt>{t('print.born')}</dt>
        <dd>
          {formatDate(patient.birthDate)} ({t('chart.record.years', { count: age(patient.birthDate) })})
        </dd>
        <dt>{t('chart.fields.mrn')}</dt>
        <dd>{patient.mrn}</dd>
        <dt>{t('chart.fields.visit')}</dt>
        <dd>
          {formatDate(visit.localDate)}, {visit.reason}
        </dd>
        {visit.doctor && (
          <>
            <dt>{t('visit.timeline.doctor')}</dt>
            <dd>{t('print.doctor', { name: visit.doctor.displayName })}</dd>
          </>
        )}
      </dl>

      {!medical && <p className="muted">{t('print.clinicalOnly')}</p>}

      {medical && kind === 'summary' && (
        <>
          {visit.vitals && (
            <section>
              <h2>{t('visit.vitals.title')}</h2>
              <p>
                {[
                  visit.vitals.temperatureC != null && reading('temperatureC', visit.vitals.temperatureC),
                  visit.vitals.heartRate != null && perMinute('heartRate', visit.vitals.heartRate),
                  visit.vitals.systolic != null &&
                    visit.vitals.diastolic != null &&
                    t('print.vitals.bloodPressure', { systolic: formatNumber(visit.vitals.systolic), diastolic: formatNumber(visit.vitals.diastolic) }),
                  visit.vitals.respiratoryRate != null && perMinute('respiratoryRate', visit.vitals.respiratoryRate),
                  visit.vitals.spo2 != null && reading('spo2', visit.vitals.spo2, t('print.vitals.spo2')),
                  visit.vitals.weightKg != null && reading('weightKg', visit.vitals.weightKg),
                  visit.vitals.heightCm != null && reading('heightCm', visit.vitals.heightCm),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
            </section>
          )}
          <section>
            <h2>{t('visit.consultation.diagnoses')}</h2>
            {visit.diagnoses && visit.diagnoses.length > 0 ? (
              <ul>
                {visit.diagnoses.map((d) => (
                  <li key={d.code}>
                    <strong>{d.code}</strong> {d.description}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t('print.noDiagnoses')}</p>
            )}
          </section>
          {visit.notes && (
            <section>
              <h2>{t('visit.consultation.notes')}</h2>
              <p className="print-notes">{visit.notes}</p>
            </section>
          )}
          {visit.prescriptions && visit.prescriptions.length > 0 && (
            <section>
              <h2>{t('visit.consultation.prescriptions')}</h2>
              <Prescriptions items={visit.prescriptions} />
            </section>
          )}
          {visit.addenda && visit.addenda.length > 0 && (
            <section>
              <h2>{t('chart.addenda.title')}</h2>
              {visit.addenda.map((a) => (
                <p key={a.id}>
                  {a.text} <span className="muted">({t('chart.addenda.by', { name: a.by.displayName, when: formatDateTime(a.at) })})</span>
                </p>
              ))}
            </section>
          )}
        </>
      )}

      {medical && kind === 'prescription' && (
        <section>
          {visit.prescriptions && visit.prescriptions.length > 0 ? <Prescriptions items={visit.prescriptions} /> : <p>{t('print.noPrescription')}</p>}
          <div className="print-signature">
            <span>{t('print.doctor', { name: visit.doctor?.displayName ?? '' })}</span>
            <span>{t('print.signature')}</span>
          </div>
        </section>
      )}
      <footer className="print-footer">{t('print.footer', { printed: formatDateTime(new Date().toISOString()), finished: formatDateTime(visit.finishedAt) })}</footer>
    </main>
  );
}

function Prescriptions({ items }: { items: ReadonlyArray<{ drug: string; dose: string; route: string; frequency: string; durationDays?: number | null }> }) {
  const { t } = useTranslation();
  return (
    <ol className="print-prescriptions">
      {items.map((p, i) => (
        <li key={i}>
          <strong>{p.drug}</strong> {p.dose} — {p.route}, {p.frequency}
          {p.durationDays ? `, ${t('print.forDays', { count: p.durationDays })}` : ''}
        </li>
      ))}
    </ol>
  );
}
