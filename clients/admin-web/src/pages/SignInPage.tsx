import { ApolloError, useApolloClient } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Field, focusFirstProblem, PageTitle } from '../components/ui';
import { LOGIN, LOGOUT, type LoginData } from '../graphql';
import { grants, useSession } from '../session';

export const NOT_AN_OPERATOR =
  'This console is for platform operators only. Your account is not an operator account: clinic staff sign in to the clinic app.';

/** A failed sign-in in plain words; the auth service's own messages already are. */
function signInProblem(error: unknown): string {
  if (error instanceof ApolloError) {
    const first = error.graphQLErrors[0];
    const code = first?.extensions?.code;
    if (code === 'FORBIDDEN') return NOT_AN_OPERATOR; // an account with no clinic membership and no operator rights
    if (code === 'UNAUTHENTICATED' && first?.extensions?.reason === 'CLINIC_SUSPENDED') return NOT_AN_OPERATOR;
    if (first) return first.message;
    if (error.networkError) return 'The server could not be reached. Check your connection and try again.';
  }
  return 'Sign-in failed. Try again.';
}

export function SignInPage() {
  const { session, notice, signIn } = useSession();
  const client = useApolloClient();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/clinics';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) problems.email = 'Enter your email address, e.g. name@example.com.';
    if (password === '') problems.password = 'Enter your password.';
    setErrors(problems);
    if (Object.keys(problems).length) return focusFirstProblem();
    setBusy(true);
    try {
      const { data } = await client.mutate<LoginData>({ mutation: LOGIN, variables: { email: email.trim(), password } });
      const login = data!.login;
      const operator = login.clinicId === null && grants(login.permissions, 'clinicult:platform:read');
      if (!operator) {
        // a clinic (or clinic-less) token is of no use here: end it at once
        await client
          .mutate({ mutation: LOGOUT, context: { headers: { authorization: `Bearer ${login.token}` } } })
          .catch(() => undefined);
        setPassword('');
        setErrors({ form: NOT_AN_OPERATOR });
        return focusFirstProblem();
      }
      signIn({
        token: login.token,
        expiresAt: login.expiresAt,
        userId: login.user.id,
        email: email.trim().toLowerCase(),
        permissions: login.permissions,
      });
      navigate(from, { replace: true });
    } catch (error) {
      const first = error instanceof ApolloError ? error.graphQLErrors[0] : undefined;
      if (first?.extensions?.field === 'email') setErrors({ email: first.message });
      else setErrors({ form: signInProblem(error) });
      focusFirstProblem();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="signin">
      <form onSubmit={submit} noValidate aria-describedby={notice ? 'signin-notice' : undefined}>
        <PageTitle title="Sign in">Clinicult operator console</PageTitle>
        <p className="lead">Sign in with your platform operator account.</p>
        {notice ? (
          <p className="warning" id="signin-notice" role="status">
            {notice}
          </p>
        ) : null}
        {errors.form ? (
          <p className="error-note" role="alert" tabIndex={-1}>
            {errors.form}
          </p>
        ) : null}
        <Field label="Email" error={errors.email}>
          {(props) => (
            <input {...props} type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Password" error={errors.password}>
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
