import { useEffect, useState } from 'react';
import { useQuery } from '@apollo/client';
import { Link, useLocation, useParams } from 'react-router-dom';
import { Addenda } from '../components/Addenda';
import { CheckInForm } from '../components/CheckInForm';
import { Empty, ErrorBox, formatDate, formatDateTime, Loading, Notice, PageTitle, plainMessage } from '@clinicult/web-ui';
import { age, StateBadge, useGenderLabel } from '../labels';
import { PatientChartDocument, PatientHistoryDocument } from '../graphql';
import { useTranslation } from '../i18n';
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
  const { t } = useTranslation();
  const allowed = useCan();
  // a doctor adds to a finished visit's record (addVisitAddendum: visit:consult + medical:write)
  const canAddAddendum = allowed('visit:consult') && allowed('medical:write');
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
      <h2 id="history-title">{t('chart.history.title')} {data?.patient && <span className="count">{data.patient.visitCount}</span>}</h2>
      <ErrorBox>{error && !history && plainMessage(error)}</ErrorBox>
      {loading && !history ? (
        <Loading what={t('chart.history.loading')} />
      ) : !history || history.edges.length === 0 ? (
        <Empty>{t('chart.history.empty')}</Empty>
      ) : (
        <>
          <ol className="history" data-testid="history">
            {history.edges.map(({ node }) => (
              <li key={node.id} data-visit-id={node.id}>
                <div className="history-head">
                  <strong>{formatDate(node.localDate)}</strong> <StateBadge state={node.status} /> {node.reason}
                </div>
                <div className="muted small">
                  {node.nurse && <>{t('chart.history.nurse', { name: node.nurse.displayName })} </>}
                  {node.doctor && <>{t('chart.history.doctor', { name: node.doctor.displayName })} </>}
                  {node.status === 'CANCELLED' && node.cancelReason && <>{t('chart.history.cancelled', { reason: node.cancelReason })} </>}
                  {t('chart.history.ended', { when: formatDateTime(node.finishedAt) })}
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
                        {p.durationDays ? `, ${t('chart.history.days', { count: p.durationDays })}` : ''}
                      </li>
                    ))}
                  </ul>
                )}
                {medical && node.status === 'FINISHED' && <Addenda visitId={node.id} addenda={node.addenda ?? []} canAdd={canAddAddendum} />}
                <div className="history-actions no-print">
                  <Link to={`/history/${node.id}/print`}>{t('chart.history.printSummary')}</Link>
                  {medical && node.prescriptions && node.prescriptions.length > 0 && <Link to={`/history/${node.id}/prescription`}>{t('chart.history.printPrescription')}</Link>}
                </div>
              </li>
            ))}
          </ol>
          <nav className="pager" aria-label={t('chart.history.pages')}>
            <button type="button" disabled={page === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {t('chart.history.newer')}
            </button>
            <span className="muted small">{t('chart.history.page', { page })}</span>
            <button type="button" disabled={!history.pageInfo.hasNextPage} onClick={() => setCursors((c) => [...c, history.pageInfo.endCursor])}>
              {t('chart.history.older')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

export default function PatientChart() {
  const { t } = useTranslation();
  const genderLabel = useGenderLabel();
  const { id = '' } = useParams();
  const location = useLocation();
  const allowed = useCan();
  const medical = allowed('medical:read');
  const visits = allowed('visit:read');
  const { data, loading, error } = useQuery(PatientChartDocument, { variables: { id, medical, visits } });
  const patient = data?.patient;

  if (loading && !data) return <Loading what={t('chart.record.loading')} />;
  if (!patient) {
    return (
      <section>
        <PageTitle>{t('chart.common.notFound')}</PageTitle>
        <ErrorBox>{error && plainMessage(error)}</ErrorBox>
        <p>{t('chart.record.notInClinic')}</p>
        <Link to="/patients">{t('chart.common.findPatient')}</Link>
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
              {t('chart.record.edit')}
            </Link>
          ) : undefined
        }
      >{`${patient.givenName} ${patient.familyName}`}</PageTitle>
      {state?.registered && <Notice tone="success">{t('chart.record.registered', { mrn: patient.mrn })}</Notice>}
      {state?.updated && <Notice tone="success">{t('chart.record.updated')}</Notice>}
      {state?.message && <Notice tone="success">{state.message}</Notice>}
      <div className="chart-grid">
        <section className="card" aria-labelledby="demo-title">
          <h2 id="demo-title">{t('chart.record.demographics')}</h2>
          <dl className="facts">
            <Row label={t('chart.fields.mrn')}>{patient.mrn}</Row>
            <Row label={t('chart.fields.birthDate')}>
              {formatDate(patient.birthDate)} ({t('chart.record.years', { count: age(patient.birthDate) })})
            </Row>
            <Row label={t('chart.fields.gender')}>{genderLabel(patient.gender)}</Row>
            <Row label={t('chart.fields.nationalId')}>{patient.nationalId}</Row>
            <Row label={t('chart.fields.phone')}>{patient.phone}</Row>
            <Row label={t('chart.fields.email')}>{patient.email}</Row>
            <Row label={t('chart.fields.address')}>{address}</Row>
            <Row label={t('chart.fields.emergencyContact')}>
              {patient.emergencyContact && `${patient.emergencyContact.name}${patient.emergencyContact.phone ? `, ${patient.emergencyContact.phone}` : ''}`}
            </Row>
          </dl>
        </section>
        {medical && (
          <section className="card" aria-labelledby="medical-title" data-testid="medical">
            <h2 id="medical-title">{t('chart.record.medical')}</h2>
            <dl className="facts">
              <Row label={t('chart.fields.bloodType')}>{patient.bloodType}</Row>
              <Row label={t('chart.fields.allergies')}>
                {patient.allergies?.length ? patient.allergies.map((a) => `${a.substance}${a.severity ? ` (${t(`chart.record.severity.${a.severity}`, { defaultValue: a.severity.toLowerCase() })})` : ''}`).join(', ') : t('chart.record.noneRecorded')}
              </Row>
              <Row label={t('chart.fields.chronicConditions')}>{patient.chronicConditions?.length ? patient.chronicConditions.join(', ') : t('chart.record.noneRecorded')}</Row>
              <Row label={t('chart.fields.currentMedications')}>{patient.currentMedications?.length ? patient.currentMedications.join(', ') : t('chart.record.noneRecorded')}</Row>
              <Row label={t('chart.fields.notes')}>{patient.medicalNotes}</Row>
            </dl>
          </section>
        )}
        {visits && (
          <section className="card" aria-labelledby="visit-title">
            <h2 id="visit-title">{t('chart.record.currentVisit')}</h2>
            {visit ? (
              <div>
                <p>
                  <StateBadge state={visit.state} /> {visit.reason}
                </p>
                <p className="muted small">
                  {t('chart.record.checkedIn', { when: formatDateTime(visit.checkedInAt), minutes: visit.minutesInState })}
                </p>
                <Link className="button primary" to={`/visits/${visit.id}`}>
                  {t('chart.record.openVisit')}
                </Link>
              </div>
            ) : allowed('visit:frontdesk') ? (
              <CheckInForm patientId={patient.id} />
            ) : (
              <Empty>{t('chart.record.notCheckedIn')}</Empty>
            )}
          </section>
        )}
      </div>
      {allowed('visits:read') && <History patientId={patient.id} medical={medical} waitFor={state?.archived} />}
    </section>
  );
}
