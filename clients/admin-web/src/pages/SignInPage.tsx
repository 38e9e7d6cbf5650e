import { useApolloClient } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { NOT_AN_OPERATOR, useOperatorSignIn } from '../components/OperatorSignInSteps';
import { ErrorBox, errorCode, errorReason, Field, fieldErrors, focusFirstError, PageTitle, plainMessage } from '@clinicult/web-ui';
import { OperatorLoginDocument } from '../graphql';
import { useSession } from '../session';

export { NOT_AN_OPERATOR };

/** A failed sign-in in plain words; the auth service's own messages already are. */
function signInProblem(error: unknown): string {
  const code = errorCode(error);
  // an account with no clinic membership and no operator rights, or a clinic's
  if (code === 'FORBIDDEN' || (code === 'UNAUTHENTICATED' && errorReason(error) === 'CLINIC_SUSPENDED')) return NOT_AN_OPERATOR;
  return plainMessage(error);
}

export function SignInPage() {
  const { session, notice } = useSession();
  const client = useApolloClient();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/clinics';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const steps = useOperatorSignIn({
    from,
    email: () => email,
    onRestart: () => setPassword(''),
    onRefused: (message) => {
      setPassword('');
      setErrors({ form: message });
      focusFirstError();
    },
  });

  if (session) return <Navigate to={from} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = {};
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) problems.email = 'Enter your email address, e.g. name@example.com.';
    if (password === '') problems.password = 'Enter your password.';
    setErrors(problems);
    if (Object.keys(problems).length) return focusFirstError();
    setBusy(true);
    try {
      await steps.attempt(async () => {
        const { data } = await client.mutate({ mutation: OperatorLoginDocument, variables: { email: email.trim(), password } });
        return data!.login;
      });
    } catch (error) {
      const email = fieldErrors(error).email;
      if (email) setErrors({ email });
      else setErrors({ form: signInProblem(error) });
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  if (steps.active) {
    return (
      <main id="main" className="signin">
        <div className="form">{steps.view}</div>
      </main>
    );
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
        <ErrorBox>{errors.form}</ErrorBox>
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
