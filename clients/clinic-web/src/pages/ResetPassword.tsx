import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { Link, useSearchParams } from 'react-router-dom';
import { newPasswordProblems, RESET_PASSWORD, type AuthPayload } from '@clinicult/web-identity';
import { NotStaffError } from '../auth';
import { useSignInSteps } from '../components/SignInSteps';
import { ErrorBox, focusFirstError, InputField, Notice, PageTitle } from '../components/ui';
import { fieldErrors, plainMessage } from '../errors';
import { endSession } from '../session';

/** A new password with the link from the reset mail; every other session of the account ends. */
export default function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [reset, { loading }] = useMutation<{ resetPassword: AuthPayload }>(RESET_PASSWORD);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string; form?: string }>({});
  const [changedOnly, setChangedOnly] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const steps = useSignInSteps({ from: '/', onRestart: () => setChangedOnly(true) });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problems: typeof errors = newPasswordProblems(password, confirm);
    setErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    try {
      endSession(null);
      await steps.attempt(async () => {
        const { data } = await reset({ variables: { token, password } });
        return data!.resetPassword;
      });
    } catch (error) {
      if (error instanceof NotStaffError) {
        // an operator's password: changed; they sign in to the operator console
        setChangedOnly(true);
        return;
      }
      const byField = fieldErrors(error as Error);
      setErrors({ password: byField.password, form: byField.password ? undefined : (byField.token ?? byField._form ?? plainMessage(error as Error)) });
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  return (
    <main className="centered" id="main">
      <div className="card narrow">
        {changedOnly ? (
          <>
            <PageTitle>Password changed</PageTitle>
            <Notice tone="success">Your password was changed and every session signed out.</Notice>
            <Link to="/signin">Sign in</Link>
          </>
        ) : steps.active ? (
          steps.view
        ) : !token ? (
          <>
            <PageTitle>Reset link incomplete</PageTitle>
            <p>This link has no reset token. Open the whole link from the email, or ask for a new one.</p>
            <Link to="/forgot-password">Ask for a new link</Link>
          </>
        ) : (
          <>
            <PageTitle>Choose a new password</PageTitle>
            <form ref={form} onSubmit={onSubmit} noValidate>
              <ErrorBox>{errors.form}</ErrorBox>
              <InputField label="New password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} help="At least 10 characters, mixing letters, digits or symbols." required />
              <InputField label="Repeat the password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} required />
              <button type="submit" className="primary" disabled={loading}>
                {loading ? 'Saving…' : 'Change password'}
              </button>
            </form>
            {errors.form && (
              <p className="small">
                <Link to="/forgot-password">Ask for a new link</Link>
              </p>
            )}
          </>
        )}
      </div>
    </main>
  );
}
