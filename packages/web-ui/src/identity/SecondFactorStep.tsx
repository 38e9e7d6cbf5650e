import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { PasskeyLoginOptionsDocument, VerifySecondFactorDocument, type AuthPayload, type VerifySecondFactorMutationVariables } from './documents';
import { ErrorBox, InputField } from '../ui';
import { fieldErrors } from '../errors';
import type { SecondFactorChallenge } from './challenge';
import { OneTimeCode } from './OneTimeCode';
import { answerPasskeyRequest, passkeysSupported, secondFactorProblem } from './passkeys';

/**
 * The second step of a sign-in: the code of the authenticator app, the passkey, or a recovery
 * code. Wrong answers count like wrong passwords; the ticket dies after a few of them.
 */
export function SecondFactorStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: SecondFactorChallenge;
  onSignedIn: (payload: AuthPayload) => void | Promise<void>;
  onRestart: () => void;
}) {
  const [verify, { loading }] = useMutation(VerifySecondFactorDocument);
  const [passkeyOptions] = useMutation(PasskeyLoginOptionsDocument);
  const hasTotp = challenge.methods.includes('TOTP');
  const hasPasskey = challenge.methods.includes('PASSKEY') && passkeysSupported();
  const [mode, setMode] = useState<'code' | 'recovery'>(hasTotp || !challenge.methods.includes('RECOVERY_CODE') ? 'code' : 'recovery');
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);

  async function finish(variables: Omit<VerifySecondFactorMutationVariables, 'ticket'>) {
    setProblem(null);
    try {
      const { data } = await verify({ variables: { ticket: challenge.ticket, ...variables } });
      await onSignedIn(data!.verifySecondFactor);
    } catch (error) {
      if (fieldErrors(error).ticket) setExpired(true);
      setProblem(secondFactorProblem(error));
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!value.trim()) {
      setProblem(mode === 'code' ? 'Enter the 6-digit code your authenticator app shows.' : 'Enter one of your recovery codes.');
      return;
    }
    await finish(mode === 'code' ? { code: value.trim() } : { recoveryCode: value.trim() });
    setValue('');
  }

  async function usePasskey() {
    setProblem(null);
    try {
      const { data } = await passkeyOptions({ variables: { ticket: challenge.ticket } });
      const answer = await answerPasskeyRequest(data!.passkeyLoginOptions);
      await finish({ passkey: answer });
    } catch (error) {
      if (fieldErrors(error).ticket) setExpired(true);
      setProblem(secondFactorProblem(error));
    }
  }

  if (expired) {
    return (
      <div className="mfa-step">
        <ErrorBox>{problem}</ErrorBox>
        <button type="button" className="primary" onClick={onRestart}>
          Sign in again
        </button>
      </div>
    );
  }

  return (
    <div className="mfa-step">
      <p>Your account is protected by a second factor.</p>
      <ErrorBox>{problem}</ErrorBox>
      {hasPasskey && (
        <button type="button" className="primary mfa-passkey" onClick={usePasskey} disabled={loading}>
          Use your passkey
        </button>
      )}
      {(hasTotp || challenge.methods.includes('RECOVERY_CODE')) && (
        <form onSubmit={submit} noValidate>
          {mode === 'code' && hasTotp ? (
            <OneTimeCode label="Code from your authenticator app" value={value} onChange={setValue} />
          ) : (
            <InputField
              className="mfa-field"
              label="Recovery code"
              name="recovery-code"
              autoComplete="off"
              help="One of the codes you saved when you set up your second factor. Each works once."
              value={value}
              onChange={(e) => setValue(e.target.value)}
              autoFocus
            />
          )}
          <div className="mfa-actions">
            <button type="submit" className={hasPasskey ? '' : 'primary'} disabled={loading}>
              {loading ? 'Checking…' : 'Continue'}
            </button>
            {hasTotp && challenge.methods.includes('RECOVERY_CODE') && (
              <button type="button" className="link" onClick={() => { setMode(mode === 'code' ? 'recovery' : 'code'); setValue(''); setProblem(null); }}>
                {mode === 'code' ? 'Use a recovery code instead' : 'Use the authenticator app'}
              </button>
            )}
          </div>
        </form>
      )}
      <button type="button" className="link" onClick={onRestart}>
        Cancel and start again
      </button>
    </div>
  );
}
