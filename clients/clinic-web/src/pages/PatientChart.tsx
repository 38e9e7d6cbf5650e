import { useEffect, useState } from 'react';
import { useQuery } from '@apollo/client';
import { Link, useLocation, useParams } from 'react-router-dom';
import { CheckInForm } from '../components/CheckInForm';
import { Empty, ErrorBox, formatDate, formatDateTime, Loading, Notice, PageTitle, plainMessage } from '@clinicult/web-ui';
import { age, GENDER_LABELS, StateBadge } from '../labels';
import { PatientChartDocument, PatientHistoryDocument } from '../graphql';
import { useCan } from '../session';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children || <span className="muted">—</span>}</dd>
    </>
  );
}

function History({ patientId, medical, waitFor }: { patientId: string; medical: boolean; waitFor?: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const poll = useQuery(
    PatientHistoryDocument,
    { variables: { id: patientId, after, medical }, fetchPolicy: 'cache-and-network' },
  );
  const { data, loading, error } = poll;
  const history = data?.patient?.history;
  // a visit just finished reaches the archive a moment later: look again until it is there
  const arrived = !waitFor || !!history?.edges.some((e) => e.node.id === waitFor) || cursors.length > 1;
  const { startPolling, stopPolling } = poll;
  useEffect(() => {
    if (arrived) return;
    startPolling(1000);
    const giveUp = setTimeout(stopPolling, 60_000);
    return () => {
      clearTimeout(giveUp);
      stopPolling();
    };
  }, [arrived, startPolling, stopPolling]);
  const page = cursors.length;
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Visit history {data?.patient && <span className="count">{data.patient.visitCount}</span>}</h2>
      <ErrorBox>{error && !history && plainMessage(error)}</ErrorBox>
      {loading && !history ? (
        <Loading what="Loading the history" />
      ) : !history || history.edges.length === 0 ? (
        <Empty>No earlier visits.</Empty>
      ) : (
        <>
          <ol className="history" data-testid="history">
            {history.edges.map(({ node }) => (
              <li key={node.id} data-visit-id={node.id}>
                <div className="history-head">
                  <strong>{formatDate(node.localDate)}</strong> <StateBadge state={node.status} /> {node.reason}
                </div>
                <div className="muted small">
                  {node.nurse && <>Nurse {node.nurse.displayName}. </>}
                  {node.doctor && <>Dr. {node.doctor.displayName}. </>}
                  {node.status === 'CANCELLED' && node.cancelReason && <>Cancelled: {node.cancelReason}. </>}
                  Ended {formatDateTime(node.finishedAt)}.
                </div>
                {medical && node.diagnoses && node.diagnoses.length > 0 && (
                  <div className="diagnoses">
                    {node.diagnoses.map((d) => (
                      <span className="chip" key={d.code}>
                        {d.code}
                        {d.description ? ` ${d.description}` : ''}
                      </span>
                    ))}
                  </div>
                )}
                {medical && node.notes && <p className="notes">{node.notes}</p>}
                {medical && node.prescriptions && node.prescriptions.length > 0 && (
                  <ul className="small">
                    {node.prescriptions.map((p, i) => (
                      <li key={i}>
                        {p.drug} {p.dose}, {p.route}, {p.frequency}
                        {p.durationDays ? `, ${p.durationDays} days` : ''}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
          <nav className="pager" aria-label="History pages">
            <button type="button" disabled={page === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Newer visits
            </button>
            <span className="muted small">Page {page}</span>
            <button type="button" disabled={!history.pageInfo.hasNextPage} onClick={() => setCursors((c) => [...c, history.pageInfo.endCursor])}>
              Older visits
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

export default function PatientChart() {
  const { id = '' } = useParams();
  const location = useLocation();
  const allowed = useCan();
  const medical = allowed('medical:read');
  const visits = allowed('visit:read');
  const { data, loading, error } = useQuery(PatientChartDocument, { variables: { id, medical, visits } });
  const patient = data?.patient;

  if (loading && !data) return <Loading what="Loading the chart" />;
  if (!patient) {
    return (
      <section>
        <PageTitle>Patient not found</PageTitle>
        <ErrorBox>{error && plainMessage(error)}</ErrorBox>
        <p>This patient does not exist in your clinic.</p>
        <Link to="/patients">Find a patient</Link>
      </section>
    );
  }
  const address = patient.address ? [patient.address.line1, patient.address.line2, patient.address.postalCode, patient.address.city, patient.address.region, patient.address.country].filter(Boolean).join(', ') : '';
  const visit = patient.currentVisit;
  const state = location.state as { registered?: boolean; updated?: boolean; archived?: string; message?: string } | null;
  return (
    <section>
      <PageTitle
        actions={
          allowed('patient:write') ? (
            <Link className="button" to={`/patients/${patient.id}/edit`}>
              Edit patient
            </Link>
          ) : undefined
        }
      >{`${patient.givenName} ${patient.familyName}`}</PageTitle>
      {state?.registered && <Notice tone="success">Patient registered with MRN {patient.mrn}.</Notice>}
      {state?.updated && <Notice tone="success">Changes saved.</Notice>}
      {state?.message && <Notice tone="success">{state.message}</Notice>}
      <div className="chart-grid">
        <section className="card" aria-labelledby="demo-title">
          <h2 id="demo-title">Demographics</h2>
          <dl className="facts">
            <Row label="MRN">{patient.mrn}</Row>
            <Row label="Birth date">
              {formatDate(patient.birthDate)} ({age(patient.birthDate)} years)
            </Row>
            <Row label="Gender">{GENDER_LABELS[patient.gender]}</Row>
            <Row label="National id">{patient.nationalId}</Row>
            <Row label="Phone">{patient.phone}</Row>
            <Row label="Email">{patient.email}</Row>
            <Row label="Address">{address}</Row>
            <Row label="Emergency contact">
              {patient.emergencyContact && `${patient.emergencyContact.name}${patient.emergencyContact.phone ? `, ${patient.emergencyContact.phone}` : ''}`}
            </Row>
          </dl>
        </section>
        {medical && (
          <section className="card" aria-labelledby="medical-title" data-testid="medical">
            <h2 id="medical-title">Medical</h2>
            <dl className="facts">
              <Row label="Blood type">{patient.bloodType}</Row>
              <Row label="Allergies">
                {patient.allergies?.length ? patient.allergies.map((a) => `${a.substance}${a.severity ? ` (${a.severity.toLowerCase()})` : ''}`).join(', ') : 'None recorded'}
              </Row>
              <Row label="Chronic conditions">{patient.chronicConditions?.length ? patient.chronicConditions.join(', ') : 'None recorded'}</Row>
              <Row label="Current medications">{patient.currentMedications?.length ? patient.currentMedications.join(', ') : 'None recorded'}</Row>
              <Row label="Notes">{patient.medicalNotes}</Row>
            </dl>
          </section>
        )}
        {visits && (
          <section className="card" aria-labelledby="visit-title">
            <h2 id="visit-title">Current visit</h2>
            {visit ? (
              <div>
                <p>
                  <StateBadge state={visit.state} /> {visit.reason}
                </p>
                <p className="muted small">
                  Checked in {formatDateTime(visit.checkedInAt)}; {visit.minutesInState} min in this state.
                </p>
                <Link className="button primary" to={`/visits/${visit.id}`}>
                  Open the visit
                </Link>
              </div>
            ) : allowed('visit:frontdesk') ? (
              <CheckInForm patientId={patient.id} />
            ) : (
              <Empty>Not checked in.</Empty>
            )}
          </section>
        )}
      </div>
      {allowed('visits:read') && <History patientId={patient.id} medical={medical} waitFor={state?.archived} />}
    </section>
  );
}
