import { useState, type ReactNode } from 'react';
import { useApolloClient } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { EnrolSecondFactor, PageTitle, secondFactorChallenge, type SecondFactorChallenge, SecondFactorStep } from '@clinicult/web-ui';
import { acceptAndOpen, chooseClinic, completeSignIn } from '../auth';
import type { AuthPayload, Membership, OwnInvitation } from '../graphql';
import { useTranslation } from '../i18n';
import { ClinicChoice } from './ClinicChoice';

type Step =
  | { kind: 'none' }
  | { kind: 'second-factor'; challenge: SecondFactorChallenge }
  | { kind: 'choose'; token: string; memberships: Membership[]; invitations: OwnInvitation[] };

/**
 * What follows a proof of identity (a password, an emailed link): the second factor when it is
 * due (or its set-up, when the clinic requires one and none is enrolled), then the clinic to work
 * in or an invitation to accept, then the app. Used by sign-in, accepting an invitation and
 * resetting a password alike.
 */
export function useSignInSteps(options: { from: string; onRestart: () => void }) {
  const { t } = useTranslation();
  const client = useApolloClient();
  const navigate = useNavigate();
  const [step, setStep] = useState<Step>({ kind: 'none' });

  async function proceed(payload: AuthPayload) {
    const next = await completeSignIn(client, payload);
    if (next.kind === 'choose-clinic') setStep({ kind: 'choose', token: next.token, memberships: next.memberships, invitations: next.invitations });
    else navigate(options.from, { replace: true });
  }

  /** Runs the mutation that proves who the person is; true when it led on to a next step or the app. */
  async function attempt(run: () => Promise<AuthPayload>): Promise<void> {
    try {
      await proceed(await run());
    } catch (error) {
      const challenge = secondFactorChallenge(error);
      if (!challenge) throw error;
      setStep({ kind: 'second-factor', challenge });
    }
  }

  const restart = () => {
    setStep({ kind: 'none' });
    options.onRestart();
  };

  let view: ReactNode = null;
  if (step.kind === 'second-factor') {
    const enrol = step.challenge.reason === 'SECOND_FACTOR_ENROLMENT_REQUIRED';
    view = (
      <>
        <PageTitle>{enrol ? t('access.steps.enrolTitle') : t('access.steps.secondFactorTitle')}</PageTitle>
        {enrol ? (
          <>
            <p>{t('access.steps.enrolIntro')}</p>
            <EnrolSecondFactor ticket={step.challenge.ticket} onDone={async (result) => {
                if (result.session) await proceed(result.session);
              }} onCancel={restart} />
          </>
        ) : (
          <SecondFactorStep challenge={step.challenge} onSignedIn={proceed} onRestart={restart} />
        )}
      </>
    );
  } else if (step.kind === 'choose') {
    const { token } = step;
    const open = async (next: Awaited<ReturnType<typeof chooseClinic>>) => {
      if (next.kind === 'signed-in') navigate(options.from, { replace: true });
    };
    view = (
      <>
        <PageTitle>{step.memberships.length === 0 && step.invitations.length > 0 ? t('access.steps.invitationsTitle') : t('access.steps.chooseTitle')}</PageTitle>
        <ClinicChoice
          token={token}
          memberships={step.memberships}
          invitations={step.invitations}
          onChoose={async (clinicId) => open(await chooseClinic(client, token, clinicId))}
          onAccept={async (invitation) => open(await acceptAndOpen(client, token, invitation))}
        />
      </>
    );
  }
  return { attempt, view, active: step.kind !== 'none' };
}
