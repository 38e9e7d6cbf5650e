import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { PasskeyLoginOptionsDocument, VerifySecondFactorDocument, type AuthPayload, type VerifySecondFactorMutationVariables } from './documents';
import { ErrorBox, InputField } from '../ui';
import { useUiText } from '../i18n';
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
  const text = useUiText().secondFactor;
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
      setProblem(mode === 'code' ? text.enterCode : text.enterRecoveryCode);
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
          {text.signInAgain}
        </button>
      </div>
    );
  }

  return (
    <div className="mfa-step">
      <p>{text.intro}</p>
      <ErrorBox>{problem}</ErrorBox>
      {hasPasskey && (
        <button type="button" className="primary mfa-passkey" onClick={usePasskey} disabled={loading}>
          {text.usePasskey}
        </button>
      )}
      {(hasTotp || challenge.methods.includes('RECOVERY_CODE')) && (
        <form onSubmit={submit} noValidate>
          {mode === 'code' && hasTotp ? (
            <OneTimeCode label={text.codeLabel} value={value} onChange={setValue} />
          ) : (
            <InputField
              className="mfa-field"
              label={text.recoveryCodeLabel}
              name="recovery-code"
              autoComplete="off"
              help={text.recoveryCodeHelp}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              autoFocus
            />
          )}
          <div className="mfa-actions">
            <button type="submit" className={hasPasskey ? '' : 'primary'} disabled={loading}>
              {loading ? text.checking : text.continue}
            </button>
            {hasTotp && challenge.methods.includes('RECOVERY_CODE') && (
              <button type="button" className="link" onClick={() => { setMode(mode === 'code' ? 'recovery' : 'code'); setValue(''); setProblem(null); }}>
                {mode === 'code' ? text.useRecoveryCode : text.useApp}
              </button>
            )}
          </div>
        </form>
      )}
      <button type="button" className="link" onClick={onRestart}>
        {text.restart}
      </button>
    </div>
  );
}
