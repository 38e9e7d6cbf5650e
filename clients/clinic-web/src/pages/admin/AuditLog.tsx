import { useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { Link } from 'react-router-dom';
import { Empty, ErrorBox, formatDateTime, formatNumber, InputField, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { AuditLogDocument } from '../../graphql';
import { useTranslation } from '../../i18n';

export default function AuditLog() {
  const { t } = useTranslation();
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
      setRangeError(t('admin.audit.rangeError'));
      return;
    }
    setRangeError(undefined);
    setRange(draft);
    setCursors([null]);
  }

  return (
    <section>
      <PageTitle>{t('admin.audit.title')}</PageTitle>
      <p className="muted">{t('admin.audit.intro')}</p>
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-label={t('admin.audit.period')}>
        <InputField label={t('admin.audit.from')} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <InputField label={t('admin.audit.to')} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={rangeError} />
        <button type="submit">{t('admin.audit.show')}</button>
      </form>
      <ErrorBox>{error && !log && plainMessage(error)}</ErrorBox>
      {loading && !log ? (
        <Loading what={t('admin.audit.loading')} />
      ) : !log || log.edges.length === 0 ? (
        <Empty>{t('admin.audit.empty')}</Empty>
      ) : (
        <>
          <p className="muted small">{t('admin.audit.events', { count: log.totalCount, total: formatNumber(log.totalCount) })}</p>
          <table className="table audit">
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.when')}</th>
                <th scope="col">{t('admin.audit.who')}</th>
                <th scope="col">{t('admin.audit.what')}</th>
                <th scope="col">{t('admin.audit.about')}</th>
                <th scope="col">{t('admin.audit.fields')}</th>
                <th scope="col">{t('admin.audit.through')}</th>
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
          <nav className="pager" aria-label={t('admin.audit.pages')}>
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {t('admin.audit.newer')}
            </button>
            <span className="muted small">{t('admin.audit.page', { page: cursors.length })}</span>
            <button type="button" disabled={!log.pageInfo.hasNextPage} onClick={() => setCursors((c) => [...c, log.pageInfo.endCursor])}>
              {t('admin.audit.older')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
