import { useEffect, useState } from 'react';
import { useQuery } from '@apollo/client';
import { Link } from 'react-router-dom';
import { pollInterval } from '../config';
import { longWait, PriorityBadge } from '../components/QueueMarks';
import { useQueuePush } from '../queue-push';
import { Empty, ErrorBox, formatDateTime, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { QueueDocument, type QueueVisit } from '../graphql';
import { useTranslation } from '../i18n';
import { endSession, useCan, useSession } from '../session';

const COLUMNS = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;


/** The time now, again every `everyMs`. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** What a role does next, first: the transition that moves the visit on. */
function nextAction(visit: QueueVisit): string | undefined {
  const order = ['startTriage', 'sendToDoctor', 'startConsultation', 'completeConsultation', 'finishVisit'];
  return order.find((t) => visit.allowedTransitions.includes(t));
}

export default function Queue() {
  const { t } = useTranslation();
  const allowed = useCan();
  // while the gateway's push is live the board reads the queue when it changed; otherwise it polls
  const [live, setLive] = useState(false);
  const { data, loading, error, refetch } = useQuery(QueueDocument, {
    pollInterval: live ? 0 : pollInterval(),
    notifyOnNetworkStatusChange: false,
  });
  const session = useSession();
  const push = useQueuePush(() => void refetch(), { token: session?.token, apiUrl: session?.apiUrl, onEnded: (reason) => endSession(reason) });
  useEffect(() => setLive(push === 'live'), [push]);
  const visits = data?.queue ?? [];
  const thresholds = data?.clinicSettings.waitThresholds;
  // a quiet board is not read again: its minutes go on from the last answer, by the minute
  const [answeredAt, setAnsweredAt] = useState(() => Date.now());
  useEffect(() => setAnsweredAt(Date.now()), [data]);
  const now = useNow(30_000);
  const since = Math.max(0, Math.floor((now - answeredAt) / 60_000));

  return (
    <section>
      <PageTitle
        actions={
          <>
            <button type="button" onClick={() => void refetch()}>
              {t('queue.refresh')}
            </button>
            {allowed('visit:frontdesk') && (
              <Link className="button primary" to="/patients">
                {t('queue.checkIn')}
              </Link>
            )}
          </>
        }
      >
        {t('queue.title')}
      </PageTitle>
      <p className="muted small" aria-live="off" data-push={push}>
        {t('queue.intro')}{' '}
        {push === 'live'
          ? t('queue.live')
          : pollInterval() > 0
            ? t('queue.polling', { seconds: Math.round(pollInterval() / 1000) })
            : t('queue.reconnecting')}
      </p>
      <ErrorBox>{error && !data && plainMessage(error)}</ErrorBox>
      {data && data.queueSize > visits.length && (
        <div className="notice notice-warning" role="status">
          {t('queue.cutShort', { shown: visits.length, total: data.queueSize })}
        </div>
      )}
      {loading && !data ? (
        <Loading what={t('queue.loading')} />
      ) : (
        <div className="board">
          {COLUMNS.map((state) => {
            const column = visits.filter((v) => v.state === state);
            return (
              <section key={state} className={`column state-${state.toLowerCase()}`} aria-labelledby={`col-${state}`} data-state={state}>
                <h2 id={`col-${state}`}>
                  {t(`states.${state}`)} <span className="count">{column.length}</span>
                </h2>
                {column.length === 0 ? (
                  <Empty>{t('queue.empty')}</Empty>
                ) : (
                  <ul>
                    {column.map((visit) => {
                      const next = nextAction(visit);
                      const minutes = visit.minutesInState + since;
                      const over = longWait({ state: visit.state, minutesInState: minutes }, thresholds);
                      const marks = `${next ? ' yours' : ''}${visit.stale ? ' stale' : ''}${over !== null ? ' long-wait' : ''}${visit.priority === 'URGENT' ? ' urgent' : ''}`;
                      return (
                        <li key={visit.id} className={`ticket${marks}`}>
                          <Link to={`/visits/${visit.id}`} className="ticket-link">
                            <strong>
                              {visit.patient.familyName}, {visit.patient.givenName}
                            </strong>
                            <PriorityBadge priority={visit.priority} />
                            <span className="muted small">{visit.patient.mrn}</span>
                          </Link>
                          <div className="reason">{visit.reason}</div>
                          <div className="meta small">
                            <span title={t('queue.checkedIn', { when: formatDateTime(visit.checkedInAt) })}>{t('queue.minutesHere', { minutes })}</span>
                            {over !== null && <span className="long-wait-note">{t('queue.longWait', { minutes: over })}</span>}
                            {visit.nurse && <span>{t('queue.nurse', { name: visit.nurse.displayName })}</span>}
                            {visit.doctor && <span>{t('queue.doctor', { name: visit.doctor.displayName })}</span>}
                          </div>
                          {visit.stale && <div className="warning small">{t('queue.stale')}</div>}
                          {next && (
                            <Link to={`/visits/${visit.id}`} className="next-step small">
                              {t('queue.nextForYou', { action: t(`actions.${next}`) })}
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
