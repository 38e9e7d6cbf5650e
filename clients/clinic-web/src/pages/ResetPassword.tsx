import { useState } from 'react';
import { useMutation } from '@apollo/client';
import { Link, useSearchParams } from 'react-router-dom';
import { fieldErrors, Notice, PageTitle, plainMessage, ResetPasswordDocument } from '@clinicult/web-ui';
import { NotStaffError } from '../auth';
import { NewPasswordForm } from '../components/NewPasswordForm';
import { useSignInSteps } from '../components/SignInSteps';
import { endSession } from '../session';

/** A new password with the link from the reset mail; every other session of the account ends. */
export default function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [reset, { loading }] = useMutation(ResetPasswordDocument);
  const [changedOnly, setChangedOnly] = useState(false);
  const steps = useSignInSteps({ from: '/', onRestart: () => setChangedOnly(true) });

  async function choose(password: string) {
    try {
      endSession(null);
      await steps.attempt(async () => {
        const { data } = await reset({ variables: { token, password } });
        return data!.resetPassword;
      });
      return undefined;
    } catch (error) {
      if (error instanceof NotStaffError) {
        // an operator's password: changed; they sign in to the operator console
        setChangedOnly(true);
        return undefined;
      }
      const byField = fieldErrors(error as Error);
      return { password: byField.password, form: byField.password ? undefined : (byField.token ?? byField._form ?? plainMessage(error as Error)) };
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
            <NewPasswordForm
              submitLabel="Change password"
              help="At least 10 characters, mixing letters, digits or symbols."
              busy={loading}
              onSubmit={choose}
              afterFormError={
                <p className="small">
                  <Link to="/forgot-password">Ask for a new link</Link>
                </p>
              }
            />
          </>
        )}
      </div>
    </main>
  );
}
