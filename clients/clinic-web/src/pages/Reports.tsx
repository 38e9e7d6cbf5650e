import { useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Empty, ErrorBox, formatDate, formatNumber, InputField, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { useTranslation } from '../i18n';
import { VisitReportDocument } from '../graphql';
import { useCan } from '../session';

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const daysAgo = (n: number) => {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return iso(d);
};

const COLORS = { finished: '#0b5cad', cancelled: '#b3261e', doctor: '#2e7d32', state: '#6a3fb5' };

/** A chart's numbers (axis ticks, tooltips) in the app's language: 2.5 reads 2,5 in Spanish. */
const chartNumber = (value: unknown) => (typeof value === 'number' ? formatNumber(value) : String(value));

/** A chart with its numbers as a table beside it, for screen readers and exact values. */
function ChartCard({ title, children, table }: { title: string; children: React.ReactNode; table: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <section className="card report-card" aria-label={title}>
      <h2>{title}</h2>
      <div className="chart" aria-hidden="true">
        {children}
      </div>
      <details>
        <summary>{t('reports.showNumbers')}</summary>
        {table}
      </details>
    </section>
  );
}

export default function Reports() {
  const { t } = useTranslation();
  const allowed = useCan();
  const medical = allowed('medical:read');
  const [range, setRange] = useState({ from: daysAgo(29), to: iso(new Date()) });
  const [draft, setDraft] = useState(range);
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  const { data, loading, error } = useQuery(VisitReportDocument, { variables: { ...range, medical } });
  const report = data?.visitReport;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!draft.from) problems.from = t('reports.period.fromMissing');
    if (!draft.to) problems.to = t('reports.period.toMissing');
    if (draft.from && draft.to && draft.from > draft.to) problems.to = t('reports.period.toBeforeFrom');
    if (draft.from && draft.to && (Date.parse(draft.to) - Date.parse(draft.from)) / 86_400_000 > 365) problems.to = t('reports.period.tooLong');
    setErrors(problems);
    if (Object.keys(problems).length === 0) setRange(draft);
  }

  const perDay = report?.perDay.map((d) => ({ ...d, label: d.date.slice(5) })) ?? [];
  const perDoctor = report?.perDoctor.map((d) => ({ name: d.doctor.displayName, finished: d.finished })) ?? [];
  const perState = report?.averageMinutesInState.map((s) => ({ name: t(`states.${s.state}`, { defaultValue: s.state }), minutes: s.minutes === null ? 0 : Math.round(s.minutes * 10) / 10, known: s.minutes !== null })) ?? [];
  const total = perDay.reduce((n, d) => n + d.finished, 0);

  return (
    <section>
      <PageTitle>{t('reports.title')}</PageTitle>
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-label={t('reports.period.form')}>
        <InputField label={t('reports.period.from')} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} error={errors.from} />
        <InputField label={t('reports.period.to')} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={errors.to} />
        <button type="submit" className="primary">
          {t('reports.period.show')}
        </button>
      </form>
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {loading && !report ? (
        <Loading what={t('reports.loading')} />
      ) : !report ? null : (
        <>
          <div className="kpis">
            <div className="kpi">
              <span className="kpi-value" data-testid="kpi-finished">{formatNumber(total)}</span> {t('reports.kpi.finished', { count: total })}
            </div>
            <div className="kpi">
              <span className="kpi-value">{formatNumber(report.cancellations)}</span> {t('reports.kpi.cancelled', { count: report.cancellations })}
            </div>
            <div className="kpi muted small">
              {t('reports.kpi.period', { from: formatDate(report.from), to: formatDate(report.to) })}
            </div>
          </div>
          <div className="report-grid">
            <ChartCard
              title={t('reports.perDay.title')}
              table={
                <table className="table small">
                  <thead>
                    <tr>
                      <th scope="col">{t('reports.perDay.day')}</th>
                      <th scope="col">{t('reports.finished')}</th>
                      <th scope="col">{t('reports.cancelled')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.perDay.filter((d) => d.finished || d.cancelled).map((d) => (
                      <tr key={d.date}>
                        <td>{formatDate(d.date)}</td>
                        <td>{formatNumber(d.finished)}</td>
                        <td>{formatNumber(d.cancelled)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              }
            >
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={perDay} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" fontSize={11} />
                  <YAxis allowDecimals={false} fontSize={11} tickFormatter={chartNumber} />
                  <Tooltip formatter={chartNumber} />
                  <Legend />
                  <Bar dataKey="finished" name={t('reports.finished')} stackId="a" fill={COLORS.finished} isAnimationActive={false} />
                  <Bar dataKey="cancelled" name={t('reports.cancelled')} stackId="a" fill={COLORS.cancelled} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </ChartCard>
            <ChartCard
              title={t('reports.perDoctor.title')}
              table={
                <table className="table small">
                  <tbody>
                    {perDoctor.map((d) => (
                      <tr key={d.name}>
                        <th scope="row">{d.name}</th>
                        <td>{formatNumber(d.finished)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              }
            >
              {perDoctor.length === 0 ? (
                <Empty>{t('reports.perDoctor.empty')}</Empty>
              ) : (
                <ResponsiveContainer width="100%" height={240}>
                  <BarChart data={perDoctor} layout="vertical" margin={{ left: 40 }} accessibilityLayer={false}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" allowDecimals={false} fontSize={11} tickFormatter={chartNumber} />
                    <YAxis type="category" dataKey="name" width={120} fontSize={11} />
                    <Tooltip formatter={chartNumber} />
                    <Bar dataKey="finished" name={t('reports.finished')} fill={COLORS.doctor} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              )}
            </ChartCard>
            <ChartCard
              title={t('reports.perState.title')}
              table={
                <table className="table small">
                  <tbody>
                    {perState.map((s) => (
                      <tr key={s.name}>
                        <th scope="row">{s.name}</th>
                        <td>{s.known ? t('reports.perState.minutes', { minutes: formatNumber(s.minutes) }) : t('reports.perState.noVisit')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              }
            >
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={perState} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="name" fontSize={11} />
                  <YAxis fontSize={11} unit={t('reports.perState.axisUnit')} tickFormatter={chartNumber} />
                  <Tooltip formatter={chartNumber} />
                  <Bar dataKey="minutes" name={t('reports.perState.series')} fill={COLORS.state} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </ChartCard>
            {medical && (
              <section className="card report-card" aria-labelledby="top-dx">
                <h2 id="top-dx">{t('reports.topDiagnoses.title')}</h2>
                {!report.topDiagnoses || report.topDiagnoses.length === 0 ? (
                  <Empty>{t('reports.topDiagnoses.empty')}</Empty>
                ) : (
                  <table className="table" data-testid="top-diagnoses">
                    <thead>
                      <tr>
                        <th scope="col">{t('reports.topDiagnoses.code')}</th>
                        <th scope="col">{t('reports.topDiagnoses.description')}</th>
                        <th scope="col">{t('reports.topDiagnoses.visits')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.topDiagnoses.map((d) => (
                        <tr key={d.code}>
                          <td>{d.code}</td>
                          <td>{d.description}</td>
                          <td>{/^\d+$/.test(d.count) ? formatNumber(Number(d.count)) : d.count}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <p className="muted small">{t('reports.topDiagnoses.privacy')}</p>
              </section>
            )}
          </div>
        </>
      )}
    </section>
  );
}
