import { useApolloClient } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useOperatorSignIn } from '../components/OperatorSignInSteps';
import { AcceptInvitationDocument, ErrorBox, Field, focusFirstError, formErrors, newPasswordProblems, PageTitle } from '@clinicult/web-ui';

/**
 * The operator's first password, from the one link Clinicult prints (npm run operator:create on a
 * new installation); then the second factor every operator must have.
 */
export function SetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const client = useApolloClient();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [busy, setBusy] = useState(false);
  const steps = useOperatorSignIn({
    from: '/clinics',
    email: () => '',
    onRestart: () => undefined,
    onRefused: (message) => setErrors({ _form: message }),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = newPasswordProblems(password, confirm);
    setErrors(problems);
    if (problems.password || problems.confirm) return focusFirstError();
    setBusy(true);
    try {
      await steps.attempt(async () => {
        const { data } = await client.mutate({ mutation: AcceptInvitationDocument, variables: { token, password } });
        return data!.acceptInvitation;
      });
    } catch (error) {
      setErrors(formErrors(error, (key) => key === 'password'));
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
      <form onSubmit={submit} noValidate className="form">
        <PageTitle title="Choose your password">Choose your password</PageTitle>
        {!token ? (
          <p>This link has no token. Open the whole link the create-operator command printed.</p>
        ) : (
          <>
            <p className="lead">Your operator account is ready: choose its password, then set up your second factor.</p>
            <ErrorBox>{errors._form}</ErrorBox>
            <Field label="New password" error={errors.password} help="At least 10 characters, mixing letters, digits or symbols.">
              {(props) => <input {...props} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
            </Field>
            <Field label="Repeat the password" error={errors.confirm}>
              {(props) => <input {...props} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
            </Field>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Set password'}
            </button>
          </>
        )}
        <p>
          <Link to="/signin">Sign in instead</Link>
        </p>
      </form>
    </main>
  );
}
