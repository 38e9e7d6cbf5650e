import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { Empty, ErrorBox, formatDate, Loading, PageTitle, plainMessage } from '@clinicult/web-ui';
import { StateBadge, useGenderLabel } from '../labels';
import { SearchPatientsDocument } from '../graphql';
import { useTranslation } from '../i18n';
import { useCan } from '../session';

/** How long typing must pause before the search runs (one request per pause, not per key). */
const SEARCH_PAUSE_MS = 300;

export default function Patients() {
  const { t } = useTranslation();
  const genderLabel = useGenderLabel();
  const allowed = useCan();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const [text, setText] = useState(search);
  const location = useLocation();
  const searchBox = useRef<HTMLInputElement>(null);
  // Alt+Shift+F (Layout's shortcuts) lands here asking for the search box
  useEffect(() => {
    if ((location.state as { focus?: string } | null)?.focus === 'search') searchBox.current?.focus();
  }, [location.key, location.state]);
  const { data, loading, error, fetchMore } = useQuery(SearchPatientsDocument, {
    variables: { search: search || null, first: 25 },
    skip: !search,
  });

  // search as you type: once the typing pauses (the button and Enter search at once)
  useEffect(() => {
    const wanted = text.trim();
    if (wanted === search || (wanted.length > 0 && wanted.length < 2)) return;
    const timer = setTimeout(() => setParams(wanted ? { q: wanted } : {}, { replace: true }), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, search, setParams]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  }

  const rows = data?.patients.edges.map((e) => e.node) ?? [];
  return (
    <section>
      <PageTitle
        actions={
          allowed('patient:write') && (
            <Link className="button primary" to="/patients/new">
              {t('patients.register')}
            </Link>
          )
        }
      >
        {t('patients.title')}
      </PageTitle>
      <form role="search" className="search-bar" onSubmit={onSubmit}>
        <label htmlFor="patient-search">{t('patients.find')}</label>
        <input
          ref={searchBox}
          id="patient-search"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('chart.search.placeholder')}
          aria-describedby="patient-search-help"
        />
        <button type="submit" className="primary">
          {t('chart.search.submit')}
        </button>
        <div id="patient-search-help" className="help">
          {t('chart.search.help')}
        </div>
      </form>
      <ErrorBox>{error && plainMessage(error)}</ErrorBox>
      {!search ? (
        <Empty>{t('chart.search.prompt')}</Empty>
      ) : loading && !data ? (
        <Loading what={t('chart.search.searching')} />
      ) : rows.length === 0 ? (
        <Empty>
          {t('chart.search.noMatch', { search })}{' '}
          {allowed('patient:write') && <Link to={`/patients/new`}>{t('chart.search.registerNew')}</Link>}
        </Empty>
      ) : (
        <>
          <p className="muted small" role="status">
            {t('chart.search.found', { count: data!.patients.totalCount })}
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('chart.fields.name')}</th>
                <th scope="col">{t('chart.fields.mrn')}</th>
                <th scope="col">{t('chart.fields.birthDate')}</th>
                <th scope="col">{t('chart.fields.gender')}</th>
                <th scope="col">{t('chart.fields.phone')}</th>
                <th scope="col">{t('chart.fields.visit')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/patients/${p.id}`}>
                      {p.familyName}, {p.givenName}
                    </Link>
                  </td>
                  <td>{p.mrn}</td>
                  <td>{formatDate(p.birthDate)}</td>
                  <td>{genderLabel(p.gender)}</td>
                  <td>{p.phone}</td>
                  <td>{p.currentVisit ? <StateBadge state={p.currentVisit.state} /> : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data!.patients.pageInfo.hasNextPage && (
            <button
              type="button"
              onClick={() =>
                void fetchMore({
                  variables: { after: data!.patients.pageInfo.endCursor },
                  updateQuery: (prev, { fetchMoreResult }) => ({
                    patients: { ...fetchMoreResult.patients, edges: [...prev.patients.edges, ...fetchMoreResult.patients.edges] },
                  }),
                })
              }
            >
              {t('chart.search.showMore')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
