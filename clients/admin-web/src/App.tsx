import { ApolloProvider, useMutation, useQuery } from '@apollo/client';
import { lazy, Suspense, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { createApolloClient } from './apollo';
import { Loading } from '@clinicult/web-ui';
import type { RuntimeConfig } from './config';
import { OperatorLogoutDocument, OperatorMeDocument } from './graphql';
import { ClinicPage } from './pages/ClinicPage';
import { ClinicsPage } from './pages/ClinicsPage';
import { NewClinicPage } from './pages/NewClinicPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SecurityPage } from './pages/SecurityPage';
import { SetPasswordPage } from './pages/SetPasswordPage';
import { SignInPage } from './pages/SignInPage';
import { TemplateEditorPage } from './pages/TemplateEditorPage';
import { TemplatesPage } from './pages/TemplatesPage';
import { useSession } from './session';

// GraphiQL is large: its route is a separate chunk, loaded only when opened
const PlaygroundPage = lazy(() => import('./pages/PlaygroundPage'));

export function App({ config }: { config: RuntimeConfig }) {
  const session = useSession();
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const client = useMemo(
    () =>
      createApolloClient({
        uri: config.gatewayUrl,
        getToken: () => sessionRef.current.session?.token ?? null,
        onUnauthenticated: (reason) => {
          if (sessionRef.current.session) sessionRef.current.expire(reason);
        },
      }),
    [config.gatewayUrl],
  );

  // whatever ends a session also forgets what it loaded
  const signedIn = session.session !== null;
  useEffect(() => {
    if (!signedIn) void client.clearStore();
  }, [signedIn, client]);

  return (
    <ApolloProvider client={client}>
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/set-password" element={<SetPasswordPage />} />
        <Route
          path="*"
          element={
            <RequireOperator>
              <Layout>
                <Routes>
                  <Route path="/" element={<Navigate to="/clinics" replace />} />
                  <Route path="/clinics" element={<ClinicsPage />} />
                  <Route path="/clinics/new" element={<NewClinicPage config={config} />} />
                  <Route path="/clinics/:id" element={<ClinicPage />} />
                  <Route path="/security" element={<SecurityPage />} />
                  <Route path="/templates" element={<TemplatesPage />} />
                  <Route path="/templates/new" element={<TemplateEditorPage />} />
                  <Route path="/templates/:id" element={<TemplateEditorPage />} />
                  <Route
                    path="/playground"
                    element={
                      <Suspense fallback={<Loading what="Loading the playground" />}>
                        <PlaygroundPage gatewayUrl={config.gatewayUrl} />
                      </Suspense>
                    }
                  />
                  <Route path="*" element={<NotFoundPage />} />
                </Routes>
              </Layout>
            </RequireOperator>
          }
        />
      </Routes>
    </ApolloProvider>
  );
}

function RequireOperator({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/signin" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <>{children}</>;
}

function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  // also a heartbeat: a session ended elsewhere (logout, deactivation) signs this tab out while idle
  const me = useQuery(OperatorMeDocument, { fetchPolicy: 'network-only', pollInterval: 60_000 });
  const [logout, { loading }] = useMutation(OperatorLogoutDocument);
  const who = me.data?.me?.displayName ?? session?.email ?? '';

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/clinics" className="brand">
          Clinicult <span>operator console</span>
        </Link>
        <nav aria-label="Main">
          <NavLink to="/clinics">Clinics</NavLink>
          <NavLink to="/templates">Global templates</NavLink>
          <NavLink to="/playground">GraphQL playground</NavLink>
          <NavLink to="/security">Security</NavLink>
        </nav>
        <div className="who">
          <span title={session?.email}>{who}</span>
          <button
            type="button"
            className="secondary"
            disabled={loading}
            onClick={async () => {
              // end the session on the server too; sign out locally whatever it answers
              await logout().catch(() => undefined);
              signOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
