// How the queue marks a visit that should not wait: its priority, and a wait past the clinic's threshold.
import { useTranslation } from '../i18n';

export function PriorityBadge({ priority }: { priority: string }) {
  const { t } = useTranslation();
  if (priority !== 'URGENT') return null;
  return <span className="badge priority-urgent">{t('queue.urgent')}</span>;
}

export interface WaitThreshold {
  state: string;
  minutes: number;
}

/** The clinic's threshold for this state when the visit has waited past it, else null. */
export function longWait(visit: { state: string; minutesInState: number }, thresholds: readonly WaitThreshold[] | undefined): number | null {
  const threshold = thresholds?.find((t) => t.state === visit.state);
  return threshold && visit.minutesInState >= threshold.minutes ? threshold.minutes : null;
}
