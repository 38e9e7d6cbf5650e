import { useState } from 'react';
import { useMutation } from '@apollo/client';
import { Link, useSearchParams } from 'react-router-dom';
import { fieldErrors, Notice, PageTitle, plainMessage, ResetPasswordDocument } from '@clinicult/web-ui';
import { NotStaffError } from '../auth';
import { NewPasswordForm } from '../components/NewPasswordForm';
import { useSignInSteps } from '../components/SignInSteps';
import { useTranslation } from '../i18n';
import { endSession } from '../session';

/** A new password with the link from the reset mail; every other session of the account ends. */
export default function ResetPassword() {
  const { t } = useTranslation();
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
            <PageTitle>{t('access.reset.changedTitle')}</PageTitle>
            <Notice tone="success">{t('access.reset.changedBody')}</Notice>
            <Link to="/signin">{t('access.reset.signIn')}</Link>
          </>
        ) : steps.active ? (
          steps.view
        ) : !token ? (
          <>
            <PageTitle>{t('access.reset.incompleteTitle')}</PageTitle>
            <p>{t('access.reset.incompleteBody')}</p>
            <Link to="/forgot-password">{t('access.common.askNewLink')}</Link>
          </>
        ) : (
          <>
            <PageTitle>{t('access.reset.title')}</PageTitle>
            <NewPasswordForm
              submitLabel={t('access.reset.submit')}
              help={t('access.reset.help')}
              busy={loading}
              onSubmit={choose}
              afterFormError={
                <p className="small">
                  <Link to="/forgot-password">{t('access.common.askNewLink')}</Link>
                </p>
              }
            />
          </>
        )}
      </div>
    </main>
  );
}
