import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Link, useSearchParams } from 'react-router-dom';
import { NotStaffError } from '../auth';
import { newPasswordProblems } from '@clinicult/web-identity';
import { useSignInSteps } from '../components/SignInSteps';
import { ErrorBox, focusFirstError, InputField, PageTitle } from '../components/ui';
import { fieldErrors, plainMessage } from '../errors';
import { ACCEPT_INVITATION, type AuthPayload } from '../graphql';
import { endSession } from '../session';

export default function AcceptInvitation() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [accept, { loading }] = useMutation<{ acceptInvitation: AuthPayload }>(ACCEPT_INVITATION);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string; form?: string }>({});
  const form = useRef<HTMLFormElement>(null);
  const steps = useSignInSteps({ from: '/', onRestart: () => undefined });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = newPasswordProblems(password, confirm);
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    try {
      endSession(null); // someone else's session in this tab ends here
      await steps.attempt(async () => {
        const { data } = await accept({ variables: { token, password } });
        return data!.acceptInvitation;
      });
    } catch (error) {
      const byField = fieldErrors(error as Error);
      setErrors({
        password: byField.password,
        form: byField.password ? undefined : error instanceof NotStaffError ? error.message : (byField._form ?? plainMessage(error as Error)),
      });
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  return (
    <main className="centered" id="main">
      <div className="card narrow">
        {steps.active ? (
          steps.view
        ) : !token ? (
          <>
            <PageTitle>Invitation link incomplete</PageTitle>
            <p>This link has no invitation token. Open the whole link from the invitation email, or ask your clinic for a new one.</p>
            <Link to="/signin">Go to sign in</Link>
          </>
        ) : (
          <>
            <PageTitle>Welcome to Clinicult</PageTitle>
            <p>Choose the password you will sign in with. Then you accept the clinic’s invitation.</p>
            <form ref={form} onSubmit={onSubmit} noValidate>
              <ErrorBox>{errors.form}</ErrorBox>
              <InputField
                label="New password"
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                error={errors.password}
                help="At least 10 characters."
                required
              />
              <InputField
                label="Repeat the password"
                type="password"
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
                error={errors.confirm}
                required
              />
              <button type="submit" className="primary" disabled={loading}>
                {loading ? 'Saving…' : 'Set password and continue'}
              </button>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
