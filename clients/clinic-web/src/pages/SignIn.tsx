import { useRef, useState, type FormEvent } from 'react';
import { useApolloClient, useMutation } from '@apollo/client';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { chooseClinic, completeSignIn, NotStaffError } from '../auth';
import { ErrorBox, focusFirstError, InputField, Notice, PageTitle } from '../components/ui';
import { ClinicChoice } from '../components/ClinicChoice';
import { plainMessage, sessionReasonText } from '../errors';
import { LOGIN, type AuthPayload, type Membership } from '../graphql';
import { clearNotice, useNotice, useSession } from '../session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function SignIn() {
  const session = useSession();
  const notice = useNotice();
  const client = useApolloClient();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [login, { loading }] = useMutation<{ login: AuthPayload }>(LOGIN);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string; form?: string }>({});
  const [choice, setChoice] = useState<{ token: string; memberships: Membership[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  if (session && !choice) return <Navigate to={from} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!email.trim()) problems.email = 'Enter your email address.';
    else if (!EMAIL.test(email.trim())) problems.email = 'Enter an email address like name@clinic.org.';
    if (!password) problems.password = 'Enter your password.';
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    setBusy(true);
    try {
      const { data } = await login({ variables: { email: email.trim(), password } });
      clearNotice();
      const step = await completeSignIn(client, data!.login);
      if (step.kind === 'choose-clinic') setChoice({ token: step.token, memberships: step.memberships });
      else navigate(from, { replace: true });
    } catch (error) {
      setErrors({ form: error instanceof NotStaffError ? error.message : plainMessage(error as Error) });
      requestAnimationFrame(() => focusFirstError(form.current));
    } finally {
      setBusy(false);
    }
  }

  async function onChoose(clinicId: string) {
    if (!choice) return;
    const step = await chooseClinic(client, choice.token, clinicId);
    if (step.kind === 'signed-in') navigate(from, { replace: true });
  }

  return (
    <main className="centered" id="main">
      <div className="card narrow">
        <div className="brand big">
          <span className="logo" aria-hidden="true">
            +
          </span>
          Clinicult
        </div>
        {choice ? (
          <>
            <PageTitle>Choose a clinic</PageTitle>
            <ClinicChoice memberships={choice.memberships} onChoose={onChoose} />
          </>
        ) : (
          <>
            <PageTitle>Sign in</PageTitle>
            {notice && <Notice tone={notice.reason === 'SIGNED_OUT' ? 'success' : 'warning'}>{sessionReasonText(notice.reason)}</Notice>}
            <form ref={form} onSubmit={onSubmit} noValidate>
              <ErrorBox>{errors.form}</ErrorBox>
              <InputField
                label="Email"
                type="email"
                name="email"
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                error={errors.email}
                required
              />
              <InputField
                label="Password"
                type="password"
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                error={errors.password}
                required
              />
              <button type="submit" className="primary" disabled={loading || busy}>
                {loading || busy ? 'Signing in…' : 'Sign in'}
              </button>
            </form>
            <p className="muted small">New here? Open the invitation link your clinic administrator gave you to set your password.</p>
          </>
        )}
      </div>
    </main>
  );
}
