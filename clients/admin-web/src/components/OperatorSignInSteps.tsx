import { useApolloClient } from '@apollo/client';
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { EnrolSecondFactor, PageTitle, SecondFactorStep, secondFactorChallenge, type AuthPayload, type SecondFactorChallenge } from '@clinicult/web-ui';
import { OperatorLogoutDocument } from '../graphql';
import { grants, useSession } from '../session';

export const NOT_AN_OPERATOR =
  'This console is for platform operators only. Your account is not an operator account: clinic staff sign in to the clinic app.';

/**
 * After the password (or the bootstrap link): operators always give a second factor — the first
 * time they set one up — then the console opens. A clinic account's token is of no use here and
 * is ended at once.
 */
export function useOperatorSignIn(options: { from: string; email: () => string; onRestart: () => void; onRefused: (message: string) => void }) {
  const client = useApolloClient();
  const navigate = useNavigate();
  const { signIn } = useSession();
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);

  async function finish(payload: AuthPayload) {
    const operator = payload.clinicId === null && grants(payload.permissions, 'clinicult:platform:read');
    if (!operator) {
      await client.mutate({ mutation: OperatorLogoutDocument, context: { headers: { authorization: `Bearer ${payload.token}` } } }).catch(() => undefined);
      setChallenge(null);
      options.onRefused(NOT_AN_OPERATOR);
      return;
    }
    signIn({ token: payload.token, expiresAt: payload.expiresAt, userId: payload.user.id, email: options.email().trim().toLowerCase(), permissions: payload.permissions });
    navigate(options.from, { replace: true });
  }

  async function attempt(run: () => Promise<AuthPayload>) {
    try {
      await finish(await run());
    } catch (error) {
      const next = secondFactorChallenge(error);
      if (!next) throw error;
      setChallenge(next);
    }
  }

  const restart = () => {
    setChallenge(null);
    options.onRestart();
  };

  let view: ReactNode = null;
  if (challenge?.reason === 'SECOND_FACTOR_ENROLMENT_REQUIRED') {
    view = (
      <>
        <PageTitle title="Set up a second factor">Set up a second factor</PageTitle>
        <p className="lead">Operators sign in with a password and a second factor. Set yours up now.</p>
        <EnrolSecondFactor
          ticket={challenge.ticket}
          onDone={async (result) => {
            if (result.session) await finish(result.session);
          }}
          onCancel={restart}
        />
      </>
    );
  } else if (challenge) {
    view = (
      <>
        <PageTitle title="Second factor">Second factor</PageTitle>
        <SecondFactorStep challenge={challenge} onSignedIn={finish} onRestart={restart} />
      </>
    );
  }
  return { attempt, view, active: challenge !== null };
}
