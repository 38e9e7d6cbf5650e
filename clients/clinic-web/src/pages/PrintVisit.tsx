import { useEffect } from 'react';
import { useQuery } from '@apollo/client';
import { Link, useParams } from 'react-router-dom';
import { ErrorBox, formatDate, formatDateTime, Loading, plainMessage } from '@clinicult/web-ui';
import { PrintableVisitDocument } from '../graphql';
import { age } from '../labels';
import { useCan, useSession } from '../session';

/**
 * A finished visit on paper (issue 17): the visit summary, or the prescription to hand the patient.
 * A page of its own without the app's chrome, laid out for A4 by the print stylesheet; "Print" opens
 * the browser's dialog (which also saves it as a PDF). The clinical parts need medical:read.
 */
export default function PrintVisit({ kind }: { kind: 'summary' | 'prescription' }) {
  const { id = '' } = useParams();
  const allowed = useCan();
  const session = useSession();
  const medical = allowed('medical:read');
  const { data, loading, error } = useQuery(PrintableVisitDocument, { variables: { id, medical }, fetchPolicy: 'network-only' });
  const visit = data?.visit;
  const title = kind === 'prescription' ? 'Prescription' : 'Visit summary';
  useEffect(() => {
    if (visit) document.title = `${title}: ${visit.patient.givenName} ${visit.patient.familyName} · Clinicult`;
  }, [title, visit]);

  if (loading && !data) return <Loading what="Loading the visit" />;
  if (!visit) return <ErrorBox>{error ? plainMessage(error) : 'No such finished visit in your clinic.'}</ErrorBox>;
  const patient = visit.patient;

  return (
    <main className={`print-page print-${kind}`}>
      <div className="print-toolbar no-print">
        <Link to={`/patients/${patient.id}`}>Back to the chart</Link>
        <button type="button" className="primary" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <header className="print-header">
        <div>
          <strong className="print-clinic">{session?.clinicName ?? 'Clinicult'}</strong>
        </div>
        <h1>{title}</h1>
      </header>
      <dl className="print-facts">
        <dt>Patient</dt>
        <dd>
          {patient.familyName}, {patient.givenName}
        </dd>
        <dt>Born</dt>
        <dd>
          {formatDate(patient.birthDate)} ({age(patient.birthDate)} years)
        </dd>
        <dt>MRN</dt>
        <dd>{patient.mrn}</dd>
        <dt>Visit</dt>
        <dd>
          {formatDate(visit.localDate)}, {visit.reason}
        </dd>
        {visit.doctor && (
          <>
            <dt>Doctor</dt>
            <dd>Dr. {visit.doctor.displayName}</dd>
          </>
        )}
      </dl>

      {!medical && <p className="muted">The clinical record of this visit is shown only to clinicians.</p>}

      {medical && kind === 'summary' && (
        <>
          {visit.vitals && (
            <section>
              <h2>Vital signs</h2>
              <p>
                {[
                  visit.vitals.temperatureC != null && `Temperature ${visit.vitals.temperatureC} °C`,
                  visit.vitals.heartRate != null && `Heart rate ${visit.vitals.heartRate}/min`,
                  visit.vitals.systolic != null && visit.vitals.diastolic != null && `Blood pressure ${visit.vitals.systolic}/${visit.vitals.diastolic} mmHg`,
                  visit.vitals.respiratoryRate != null && `Respiratory rate ${visit.vitals.respiratoryRate}/min`,
                  visit.vitals.spo2 != null && `SpO₂ ${visit.vitals.spo2} %`,
                  visit.vitals.weightKg != null && `Weight ${visit.vitals.weightKg} kg`,
                  visit.vitals.heightCm != null && `Height ${visit.vitals.heightCm} cm`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
            </section>
          )}
          <section>
            <h2>Diagnoses</h2>
            {visit.diagnoses && visit.diagnoses.length > 0 ? (
              <ul>
                {visit.diagnoses.map((d) => (
                  <li key={d.code}>
                    <strong>{d.code}</strong> {d.description}
                  </li>
                ))}
              </ul>
            ) : (
              <p>None recorded.</p>
            )}
          </section>
          {visit.notes && (
            <section>
              <h2>Notes</h2>
              <p className="print-notes">{visit.notes}</p>
            </section>
          )}
          {visit.prescriptions && visit.prescriptions.length > 0 && (
            <section>
              <h2>Prescriptions</h2>
              <Prescriptions items={visit.prescriptions} />
            </section>
          )}
          {visit.addenda && visit.addenda.length > 0 && (
            <section>
              <h2>Addenda</h2>
              {visit.addenda.map((a) => (
                <p key={a.id}>
                  {a.text} <span className="muted">(Dr. {a.by.displayName}, {formatDateTime(a.at)})</span>
                </p>
              ))}
            </section>
          )}
        </>
      )}

      {medical && kind === 'prescription' && (
        <section>
          {visit.prescriptions && visit.prescriptions.length > 0 ? <Prescriptions items={visit.prescriptions} /> : <p>This visit has no prescription.</p>}
          <div className="print-signature">
            <span>Dr. {visit.doctor?.displayName}</span>
            <span>Signature</span>
          </div>
        </section>
      )}
      <footer className="print-footer">Printed {formatDateTime(new Date().toISOString())} · finished {formatDateTime(visit.finishedAt)}</footer>
    </main>
  );
}

function Prescriptions({ items }: { items: ReadonlyArray<{ drug: string; dose: string; route: string; frequency: string; durationDays?: number | null }> }) {
  return (
    <ol className="print-prescriptions">
      {items.map((p, i) => (
        <li key={i}>
          <strong>{p.drug}</strong> {p.dose} — {p.route}, {p.frequency}
          {p.durationDays ? `, for ${p.durationDays} days` : ''}
        </li>
      ))}
    </ol>
  );
}
