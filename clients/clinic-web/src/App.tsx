import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { IdleLock } from './components/IdleLock';
import { Layout } from './components/Layout';
import { Loading } from '@clinicult/web-ui';
import { usePreferences } from './i18n';
import type { Permission } from './permissions';
import { useCan, useSession } from './session';
import { SignIn } from './pages/SignIn';

// each screen its own chunk: the sign-in page loads only what it needs
const AcceptInvitation = lazy(() => import('./pages/AcceptInvitation'));
const ChangePassword = lazy(() => import('./pages/ChangePassword'));
const ChooseClinic = lazy(() => import('./pages/ChooseClinic'));
const ForgotPassword = lazy(() => import('./pages/ForgotPassword'));
const ResetPassword = lazy(() => import('./pages/ResetPassword'));
const Invitations = lazy(() => import('./pages/Invitations'));
const Security = lazy(() => import('./pages/Security'));
const Queue = lazy(() => import('./pages/Queue'));
const Patients = lazy(() => import('./pages/Patients'));
const RegisterPatient = lazy(() => import('./pages/RegisterPatient'));
const EditPatient = lazy(() => import('./pages/EditPatient'));
const PatientChart = lazy(() => import('./pages/PatientChart'));
const VisitWorkspace = lazy(() => import('./pages/VisitWorkspace'));
const Reports = lazy(() => import('./pages/Reports'));
const Staff = lazy(() => import('./pages/admin/Staff'));
const Templates = lazy(() => import('./pages/admin/Templates'));
const AuditLog = lazy(() => import('./pages/admin/AuditLog'));
const Displays = lazy(() => import('./pages/admin/Displays'));
const Integrations = lazy(() => import('./pages/admin/Integrations'));
const ClinicSettings = lazy(() => import('./pages/admin/ClinicSettings'));
const DisplayScreen = lazy(() => import('./pages/DisplayScreen'));
const PrintVisit = lazy(() => import('./pages/PrintVisit'));
const NotAllowed = lazy(() => import('./pages/NotAllowed'));
const NotFound = lazy(() => import('./pages/NotFound'));


function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/signin" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <>{children}</>;
}

/** A screen the role may not use is not reachable by URL either. */
function Allowed({ permission, children }: { permission: Permission; children: ReactNode }) {
  const allowed = useCan();
  const location = useLocation();
  if (!allowed(permission)) return <Navigate to="/not-allowed" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function Screen({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export function App() {
  // every screen speaks the person's language (or, before sign-in, the browser's); the waiting-room
  // display speaks its clinic's, which it sets itself
  usePreferences({ enabled: useLocation().pathname !== '/display' });
  return (
    <Routes>
      <Route path="/signin" element={<SignIn />} />
      <Route path="/accept-invitation" element={<Screen><AcceptInvitation /></Screen>} />
      <Route path="/invite" element={<Screen><AcceptInvitation /></Screen>} />
      <Route path="/forgot-password" element={<Screen><ForgotPassword /></Screen>} />
      <Route path="/reset-password" element={<Screen><ResetPassword /></Screen>} />
      {/* the waiting-room screen: a display's own key, no staff session, no staff layout */}
      <Route path="/display" element={<Screen><DisplayScreen /></Screen>} />
      {/* a finished visit on paper: signed in, without the app's chrome (still behind the idle lock) */}
      <Route path="/history/:id/print" element={<RequireSession><IdleLock><Screen><PrintVisit kind="summary" /></Screen></IdleLock></RequireSession>} />
      <Route path="/history/:id/prescription" element={<RequireSession><IdleLock><Screen><PrintVisit kind="prescription" /></Screen></IdleLock></RequireSession>} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Allowed permission="visit:read"><Queue /></Allowed>} />
        <Route path="/patients" element={<Allowed permission="patient:read"><Patients /></Allowed>} />
        <Route path="/patients/new" element={<Allowed permission="patient:write"><RegisterPatient /></Allowed>} />
        <Route path="/patients/:id" element={<Allowed permission="patient:read"><PatientChart /></Allowed>} />
        <Route path="/patients/:id/edit" element={<Allowed permission="patient:write"><EditPatient /></Allowed>} />
        <Route path="/visits/:id" element={<Allowed permission="visit:read"><VisitWorkspace /></Allowed>} />
        <Route path="/reports" element={<Allowed permission="report:read"><Reports /></Allowed>} />
        <Route path="/admin/staff" element={<Allowed permission="user:write"><Staff /></Allowed>} />
        <Route path="/admin/templates" element={<Allowed permission="template:write"><Templates /></Allowed>} />
        <Route path="/admin/audit" element={<Allowed permission="audit:read"><AuditLog /></Allowed>} />
        <Route path="/admin/displays" element={<Allowed permission="display:write"><Displays /></Allowed>} />
        <Route path="/admin/integrations" element={<Allowed permission="integration:write"><Integrations /></Allowed>} />
        <Route path="/admin/settings" element={<Allowed permission="clinic:write"><ClinicSettings /></Allowed>} />
        <Route path="/account/password" element={<ChangePassword />} />
        <Route path="/account/clinic" element={<ChooseClinic />} />
        <Route path="/account/security" element={<Security />} />
        <Route path="/invitations" element={<Invitations />} />
        <Route path="/not-allowed" element={<NotAllowed />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
