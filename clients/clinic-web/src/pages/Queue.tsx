import { useQuery } from '@apollo/client';
import { Link } from 'react-router-dom';
import { pollInterval } from '../config';
import { Empty, ErrorBox, Loading, PageTitle, STATE_LABELS, formatDateTime } from '../components/ui';
import { plainMessage } from '../errors';
import { QueueDocument, type QueueVisit } from '../graphql';
import { useCan } from '../session';

const COLUMNS = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;

export const ACTION_LABELS: Record<string, string> = {
  startTriage: 'Start triage',
  recordVitals: 'Record vitals',
  recordIntake: 'Record intake',
  sendToDoctor: 'Send to doctor',
  startConsultation: 'Start consultation',
  recordConsultation: 'Record consultation',
  completeConsultation: 'Complete consultation',
  finishVisit: 'Check out',
  cancelVisit: 'Cancel visit',
};

/** What a role does next, first: the transition that moves the visit on. */
function nextAction(visit: QueueVisit): string | undefined {
  const order = ['startTriage', 'sendToDoctor', 'startConsultation', 'completeConsultation', 'finishVisit'];
  return order.find((t) => visit.allowedTransitions.includes(t));
}

export default function Queue() {
  const allowed = useCan();
  const { data, loading, error, refetch } = useQuery(QueueDocument, {
    pollInterval: pollInterval(),
    notifyOnNetworkStatusChange: false,
  });
  const visits = data?.queue ?? [];

  return (
    <section>
      <PageTitle
        actions={
          <>
            <button type="button" onClick={() => void refetch()}>
              Refresh
            </button>
            {allowed('visit:frontdesk') && (
              <Link className="button primary" to="/patients">
                Check in a patient
              </Link>
            )}
          </>
        }
      >
        Queue
      </PageTitle>
      <p className="muted small" aria-live="off">
        Today's visits by state. Refreshes by itself every {Math.round(pollInterval() / 1000)} seconds.
      </p>
      <ErrorBox>{error && !data && plainMessage(error)}</ErrorBox>
      {data && data.queueSize > visits.length && (
        <div className="notice notice-warning" role="status">
          The board shows the first {visits.length} of {data.queueSize} current visits (the oldest check-ins).
        </div>
      )}
      {loading && !data ? (
        <Loading what="Loading the queue" />
      ) : (
        <div className="board">
          {COLUMNS.map((state) => {
            const column = visits.filter((v) => v.state === state);
            return (
              <section key={state} className={`column state-${state.toLowerCase()}`} aria-labelledby={`col-${state}`} data-state={state}>
                <h2 id={`col-${state}`}>
                  {STATE_LABELS[state]} <span className="count">{column.length}</span>
                </h2>
                {column.length === 0 ? (
                  <Empty>No one.</Empty>
                ) : (
                  <ul>
                    {column.map((visit) => {
                      const next = nextAction(visit);
                      return (
                        <li key={visit.id} className={`ticket${next ? ' yours' : ''}${visit.stale ? ' stale' : ''}`}>
                          <Link to={`/visits/${visit.id}`} className="ticket-link">
                            <strong>
                              {visit.patient.familyName}, {visit.patient.givenName}
                            </strong>
                            <span className="muted small">{visit.patient.mrn}</span>
                          </Link>
                          <div className="reason">{visit.reason}</div>
                          <div className="meta small">
                            <span title={`Checked in ${formatDateTime(visit.checkedInAt)}`}>{visit.minutesInState} min here</span>
                            {visit.nurse && <span>Nurse {visit.nurse.displayName}</span>}
                            {visit.doctor && <span>Dr. {visit.doctor.displayName}</span>}
                          </div>
                          {visit.stale && <div className="warning small">Checked in on an earlier day: close it.</div>}
                          {next && (
                            <Link to={`/visits/${visit.id}`} className="next-step small">
                              Next for you: {ACTION_LABELS[next]}
                            </Link>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}
