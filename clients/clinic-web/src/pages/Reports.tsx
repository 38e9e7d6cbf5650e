import { useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Empty, ErrorBox, formatDate, InputField, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
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

/** A chart with its numbers as a table beside it, for screen readers and exact values. */
function ChartCard({ title, children, table }: { title: string; children: React.ReactNode; table: React.ReactNode }) {
  return (
    <section className="card report-card" aria-label={title}>
      <h2>{title}</h2>
      <div className="chart" aria-hidden="true">
        {children}
      </div>
      <details>
        <summary>Show the numbers</summary>
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
    if (!draft.from) problems.from = 'Choose the first day.';
    if (!draft.to) problems.to = 'Choose the last day.';
    if (draft.from && draft.to && draft.from > draft.to) problems.to = 'The last day must not be before the first.';
    if (draft.from && draft.to && (Date.parse(draft.to) - Date.parse(draft.from)) / 86_400_000 > 365) problems.to = 'At most one year (366 days).';
    setErrors(problems);
    if (Object.keys(problems).length === 0) setRange(draft);
  }

  const perDay = report?.perDay.map((d) => ({ ...d, label: d.date.slice(5) })) ?? [];
  const perDoctor = report?.perDoctor.map((d) => ({ name: d.doctor.displayName, finished: d.finished })) ?? [];
  const perState = report?.averageMinutesInState.map((s) => ({ name: t(`states.${s.state}`, { defaultValue: s.state }), minutes: s.minutes === null ? 0 : Math.round(s.minutes * 10) / 10, known: s.minutes !== null })) ?? [];
  const total = perDay.reduce((n, d) => n + d.finished, 0);

  return (
    <section>
      <PageTitle>Reports</PageTitle>
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Report period">
        <InputField label="From" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} error={errors.from} />
        <InputField label="To" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={errors.to} />
        <button type="submit" className="primary">
          Show
        </button>
      </form>
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {loading && !report ? (
        <Loading what="Computing the report" />
      ) : !report ? null : (
        <>
          <div className="kpis">
            <div className="kpi">
              <span className="kpi-value" data-testid="kpi-finished">{total}</span> visits finished
            </div>
            <div className="kpi">
              <span className="kpi-value">{report.cancellations}</span> cancelled
            </div>
            <div className="kpi muted small">
              {formatDate(report.from)} – {formatDate(report.to)}, clinic time
            </div>
          </div>
          <div className="report-grid">
            <ChartCard
              title="Visits per day"
              table={
                <table className="table small">
                  <thead>
                    <tr>
                      <th scope="col">Day</th>
                      <th scope="col">Finished</th>
                      <th scope="col">Cancelled</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.perDay.filter((d) => d.finished || d.cancelled).map((d) => (
                      <tr key={d.date}>
                        <td>{formatDate(d.date)}</td>
                        <td>{d.finished}</td>
                        <td>{d.cancelled}</td>
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
                  <YAxis allowDecimals={false} fontSize={11} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="finished" name="Finished" stackId="a" fill={COLORS.finished} isAnimationActive={false} />
                  <Bar dataKey="cancelled" name="Cancelled" stackId="a" fill={COLORS.cancelled} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </ChartCard>
            <ChartCard
              title="Finished visits per doctor"
              table={
                <table className="table small">
                  <tbody>
                    {perDoctor.map((d) => (
                      <tr key={d.name}>
                        <th scope="row">{d.name}</th>
                        <td>{d.finished}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              }
            >
              {perDoctor.length === 0 ? (
                <Empty>No finished visits in this period.</Empty>
              ) : (
                <ResponsiveContainer width="100%" height={240}>
                  <BarChart data={perDoctor} layout="vertical" margin={{ left: 40 }} accessibilityLayer={false}>
                    <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                    <XAxis type="number" allowDecimals={false} fontSize={11} />
                    <YAxis type="category" dataKey="name" width={120} fontSize={11} />
                    <Tooltip />
                    <Bar dataKey="finished" name="Finished" fill={COLORS.doctor} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              )}
            </ChartCard>
            <ChartCard
              title="Average minutes per state"
              table={
                <table className="table small">
                  <tbody>
                    {perState.map((s) => (
                      <tr key={s.name}>
                        <th scope="row">{s.name}</th>
                        <td>{s.known ? `${s.minutes} min` : 'no visit'}</td>
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
                  <YAxis fontSize={11} unit=" min" />
                  <Tooltip />
                  <Bar dataKey="minutes" name="Minutes" fill={COLORS.state} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </ChartCard>
            {medical && (
              <section className="card report-card" aria-labelledby="top-dx">
                <h2 id="top-dx">Top diagnoses</h2>
                {!report.topDiagnoses || report.topDiagnoses.length === 0 ? (
                  <Empty>No diagnoses in this period.</Empty>
                ) : (
                  <table className="table" data-testid="top-diagnoses">
                    <thead>
                      <tr>
                        <th scope="col">ICD-10</th>
                        <th scope="col">Description</th>
                        <th scope="col">Visits</th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.topDiagnoses.map((d) => (
                        <tr key={d.code}>
                          <td>{d.code}</td>
                          <td>{d.description}</td>
                          <td>{d.count}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <p className="muted small">Counts below 5 show as “&lt;5” to protect patients’ privacy.</p>
              </section>
            )}
          </div>
        </>
      )}
    </section>
  );
}
