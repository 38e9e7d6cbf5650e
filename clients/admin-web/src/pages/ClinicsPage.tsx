import { useQuery } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Empty, ErrorBox, Loading, PageTitle } from '@clinicult/web-ui';
import { StatusBadge } from '../components/StatusBadge';
import { ClinicsDocument, ClinicsOverviewDocument, type ClinicOverview } from '../graphql';
import { useSession } from '../session';

export const PAGE_SIZE = 20;

export function ClinicsPage() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const after = params.get('after');
  // cursors of the pages before this one, for "Previous page"
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const [draft, setDraft] = useState(search);

  const variables = { search: search || null, first: PAGE_SIZE, after };
  const { data, loading, error, refetch } = useQuery(ClinicsDocument, { variables });
  // not cached: its connection object would overwrite the list's in the cache (no id to merge by)
  const overview = useQuery(ClinicsOverviewDocument, { variables, skip: !data, fetchPolicy: 'no-cache' });
  const figures = new Map<string, ClinicOverview | null>(overview.data?.clinics.edges.map((e) => [e.node.id, e.node.overview]) ?? []);

  function submit(event: FormEvent) {
    event.preventDefault();
    setPrevious([]);
    setParams(draft.trim() ? { q: draft.trim() } : {});
  }
  function go(cursor: string | null, back: boolean) {
    if (back) setPrevious((p) => p.slice(0, -1));
    else setPrevious((p) => [...p, after]);
    const next: Record<string, string> = {};
    if (search) next.q = search;
    if (cursor) next.after = cursor;
    setParams(next);
  }

  const connection = data?.clinics;
  const page = previous.length + 1;
  return (
    <section>
      <div className="page-head">
        <PageTitle title="Clinics">Clinic registry</PageTitle>
        {can('clinicult:platform:write') ? (
          <Link className="button primary" to="/clinics/new">
            New clinic
          </Link>
        ) : null}
      </div>

      <form className="search" role="search" onSubmit={submit}>
        <label htmlFor="clinic-search">Search clinics</label>
        <input
          id="clinic-search"
          type="search"
          value={draft}
          placeholder="Name"
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="secondary">
          Search
        </button>
        {search ? (
          <button
            type="button"
            className="link"
            onClick={() => {
              setDraft('');
              setPrevious([]);
              setParams({});
            }}
          >
            Clear search
          </button>
        ) : null}
      </form>

      {error && !connection ? (
        <ErrorBox error={error}>
          <button type="button" className="secondary" onClick={() => void refetch()}>
            Try again
          </button>
        </ErrorBox>
      ) : null}
      {loading && !connection ? <Loading what="Loading clinics" /> : null}
      {connection && connection.edges.length === 0 ? (
        <Empty>
          {search ? (
            <p>No clinic matches “{search}”.</p>
          ) : (
            <p>
              No clinics yet. {can('clinicult:platform:write') ? <Link to="/clinics/new">Create the first clinic</Link> : null}
            </p>
          )}
        </Empty>
      ) : null}
      {connection && connection.edges.length > 0 ? (
        <>
          <p className="count" aria-live="polite">
            {connection.totalCount} {connection.totalCount === 1 ? 'clinic' : 'clinics'}
            {search ? ` matching “${search}”` : ''}
            {connection.totalCount > PAGE_SIZE ? ` · page ${page}` : ''}
          </p>
          <table className="list">
            <caption className="visually-hidden">Clinics{search ? ` matching “${search}”` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Cluster</th>
                <th scope="col">Time zone</th>
                <th scope="col" className="num">
                  Staff
                </th>
                <th scope="col" className="num">
                  Patients
                </th>
                <th scope="col" className="num">
                  Visits this month
                </th>
              </tr>
            </thead>
            <tbody>
              {connection.edges.map(({ node }) => {
                const f = figures.get(node.id);
                const figure = (value: number | undefined) =>
                  overview.loading && !overview.data ? '…' : f === undefined || f === null ? '—' : String(value);
                return (
                  <tr key={node.id}>
                    <th scope="row">
                      <Link to={`/clinics/${node.id}`}>{node.name}</Link>
                    </th>
                    <td>
                      <StatusBadge status={node.status} />
                    </td>
                    <td>{node.cluster}</td>
                    <td>{node.timeZone}</td>
                    <td className="num">{figure(f?.staffCount)}</td>
                    <td className="num">{figure(f?.patientCount)}</td>
                    <td className="num">{figure(f?.visitsThisMonth)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {overview.error && !overview.loading ? (
            <p className="note">Clinic figures are not available right now (shown as —).</p>
          ) : null}
          {after || connection.pageInfo.hasNextPage ? (
          <nav className="pager" aria-label="Pages">
            <button type="button" className="secondary" disabled={!after} onClick={() => go(previous.at(-1) ?? null, true)}>
              Previous page
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!connection.pageInfo.hasNextPage}
              onClick={() => go(connection.pageInfo.endCursor, false)}
            >
              Next page
            </button>
          </nav>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
