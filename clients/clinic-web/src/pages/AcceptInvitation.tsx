import { useMutation } from '@apollo/client';
import { Link, useSearchParams } from 'react-router-dom';
import { AcceptInvitationDocument, fieldErrors, PageTitle, plainMessage } from '@clinicult/web-ui';
import { NotStaffError } from '../auth';
import { NewPasswordForm } from '../components/NewPasswordForm';
import { useSignInSteps } from '../components/SignInSteps';
import { endSession } from '../session';

export default function AcceptInvitation() {
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
            <PageTitle>Invitation link incomplete</PageTitle>
            <p>This link has no invitation token. Open the whole link from the invitation email, or ask your clinic for a new one.</p>
            <Link to="/signin">Go to sign in</Link>
          </>
        ) : (
          <>
            <PageTitle>Welcome to Clinicult</PageTitle>
            <p>Choose the password you will sign in with. Then you accept the clinic’s invitation.</p>
            <NewPasswordForm submitLabel="Set password and continue" help="At least 10 characters." busy={loading} onSubmit={choose} />
          </>
        )}
      </div>
    </main>
  );
}
