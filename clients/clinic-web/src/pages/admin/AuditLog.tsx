import { useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { Link } from 'react-router-dom';
import { Empty, ErrorBox, formatDateTime, InputField, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { AuditLogDocument } from '../../graphql';

export default function AuditLog() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [range, setRange] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [draft, setDraft] = useState(range);
  const [rangeError, setRangeError] = useState<string>();
  const after = cursors[cursors.length - 1] ?? null;
  const variables = {
    after,
    from: range.from ? new Date(`${range.from}T00:00:00`).toISOString() : null,
    to: range.to ? new Date(new Date(`${range.to}T00:00:00`).getTime() + 86_400_000).toISOString() : null,
  };
  const { data, loading, error } = useQuery(AuditLogDocument, { variables });
  const log = data?.auditLog;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setRangeError('The last day must not be before the first.');
      return;
    }
    setRangeError(undefined);
    setRange(draft);
    setCursors([null]);
  }

  return (
    <section>
      <PageTitle>Audit log</PageTitle>
      <p className="muted">Who read medical data, changed patients, or changed roles and memberships in this clinic. Newest first.</p>
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Period">
        <InputField label="From" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <InputField label="To" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={rangeError} />
        <button type="submit">Show</button>
      </form>
      <ErrorBox>{error && !log && plainMessage(error)}</ErrorBox>
      {loading && !log ? (
        <Loading what="Loading the audit log" />
      ) : !log || log.edges.length === 0 ? (
        <Empty>No events in this period.</Empty>
      ) : (
        <>
          <p className="muted small">{log.totalCount} events</p>
          <table className="table audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">About</th>
                <th scope="col">Fields</th>
                <th scope="col">Through</th>
              </tr>
            </thead>
            <tbody>
              {log.edges.map(({ node: e }) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.occurredAt)}</td>
                  <td>{e.actor?.displayName ?? e.actorId}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.patient && (
                      <Link to={`/patients/${e.patient.id}`}>
                        {e.patient.familyName}, {e.patient.givenName} ({e.patient.mrn})
                      </Link>
                    )}
                    {e.targetUser && <span>{e.targetUser.displayName}</span>}
                  </td>
                  <td className="small">{e.fields?.join(', ')}</td>
                  <td className="small">
                    {e.api} · {e.service}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Audit pages">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Newer
            </button>
            <span className="muted small">Page {cursors.length}</span>
            <button type="button" disabled={!log.pageInfo.hasNextPage} onClick={() => setCursors((c) => [...c, log.pageInfo.endCursor])}>
              Older
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
