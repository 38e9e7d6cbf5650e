import { useMutation } from '@apollo/client';
import { Link, useSearchParams } from 'react-router-dom';
import { AcceptInvitationDocument, fieldErrors, PageTitle, plainMessage } from '@clinicult/web-ui';
import { NotStaffError } from '../auth';
import { NewPasswordForm } from '../components/NewPasswordForm';
import { useSignInSteps } from '../components/SignInSteps';
import { useTranslation } from '../i18n';
import { endSession } from '../session';

export default function AcceptInvitation() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [accept, { loading }] = useMutation(AcceptInvitationDocument);
  const steps = useSignInSteps({ from: '/', onRestart: () => undefined });

  async function choose(password: string) {
    try {
      endSession(null); // someone else's session in this tab ends here
      await steps.attempt(async () => {
        const { data } = await accept({ variables: { token, password } });
        return data!.acceptInvitation;
      });
      return undefined;
    } catch (error) {
      const byField = fieldErrors(error as Error);
      return {
        password: byField.password,
        form: byField.password ? undefined : error instanceof NotStaffError ? error.message : (byField._form ?? plainMessage(error as Error)),
      };
    }
  }

  return (
    <main className="centered" id="main">
      <div className="card narrow">
        {steps.active ? (
          steps.view
        ) : !token ? (
          <>
            <PageTitle>{t('access.invitation.incompleteTitle')}</PageTitle>
            <p>{t('access.invitation.incompleteBody')}</p>
            <Link to="/signin">{t('access.invitation.toSignIn')}</Link>
          </>
        ) : (
          <>
            <PageTitle>{t('access.invitation.title')}</PageTitle>
            <p>{t('access.invitation.intro')}</p>
            <NewPasswordForm submitLabel={t('access.invitation.submit')} help={t('access.invitation.help')} busy={loading} onSubmit={choose} />
          </>
        )}
      </div>
    </main>
  );
}
