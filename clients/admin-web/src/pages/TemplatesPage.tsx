import { useQuery } from '@apollo/client';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Empty, ErrorBox, formatDateTime, Loading, PageTitle } from '@clinicult/web-ui';
import { GlobalTemplatesDocument } from '../graphql';
import { useSession } from '../session';

export function TemplatesPage() {
  const { can } = useSession();
  const [includeRetired, setIncludeRetired] = useState(false);
  const [after, setAfter] = useState<string | null>(null);
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const { data, loading, error, refetch } = useQuery(GlobalTemplatesDocument, {
    variables: { includeRetired, first: 25, after },
  });
  const connection = data?.globalTemplates;

  return (
    <section>
      <div className="page-head">
        <PageTitle title="Global templates">Global templates</PageTitle>
        {can('clinicult:platform:write') ? (
          <Link className="button primary" to="/templates/new">
            New template
          </Link>
        ) : null}
      </div>
      <p className="lead">
        Visit forms published to every clinic. Each edit publishes a new version; clinics that adopted an earlier version keep
        their copy.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={includeRetired}
          onChange={(e) => {
            setIncludeRetired(e.target.checked);
            setAfter(null);
            setPrevious([]);
          }}
        />
        Show retired templates
      </label>

      {error && !connection ? (
        <ErrorBox error={error}>
          <button type="button" className="secondary" onClick={() => void refetch()}>
            Try again
          </button>
        </ErrorBox>
      ) : null}
      {loading && !connection ? <Loading what="Loading templates" /> : null}
      {connection && connection.edges.length === 0 ? (
        <Empty>
          <p>
            No global templates yet.{' '}
            {can('clinicult:platform:write') ? <Link to="/templates/new">Create the first template</Link> : null}
          </p>
        </Empty>
      ) : null}
      {connection && connection.edges.length > 0 ? (
        <>
          <table className="list">
            <caption className="visually-hidden">Global templates</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col" className="num">
                  Fields
                </th>
                <th scope="col">Published</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id}>
                  <th scope="row">
                    <Link to={`/templates/${node.id}`}>{node.name}</Link>
                  </th>
                  <td>{node.kind === 'INTAKE' ? 'Intake' : 'Note'}</td>
                  <td className="num">v{node.version}</td>
                  <td className="num">{node.fields.length}</td>
                  <td>{formatDateTime(node.publishedAt)}</td>
                  <td>{node.retired ? <span className="badge badge-suspended">Retired</span> : <span className="badge badge-active">Published</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {after || connection.pageInfo.hasNextPage ? (
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              className="secondary"
              disabled={previous.length === 0}
              onClick={() => {
                setAfter(previous.at(-1) ?? null);
                setPrevious((p) => p.slice(0, -1));
              }}
            >
              Previous page
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!connection.pageInfo.hasNextPage}
              onClick={() => {
                setPrevious((p) => [...p, after]);
                setAfter(connection.pageInfo.endCursor);
              }}
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
