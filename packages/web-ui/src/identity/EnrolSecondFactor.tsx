import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import {
  ConfirmTotpEnrolmentDocument,
  PasskeyRegistrationOptionsDocument,
  RegisterPasskeyDocument,
  StartTotpEnrolmentDocument,
  type EnrolmentResult,
  type StartTotpEnrolmentMutation,
} from './documents';
import { ErrorBox, InputField } from '../ui';
import { useUiText } from '../i18n';
import { fieldErrors } from '../errors';
import { OneTimeCode } from './OneTimeCode';
import { createPasskey, passkeysSupported, secondFactorProblem } from './passkeys';
import { RecoveryCodes } from './RecoveryCodes';

type TotpSetup = StartTotpEnrolmentMutation['startTotpEnrolment'];

/**
 * Sets up a second factor: an authenticator app (scan the QR code, type the first code) or a
 * passkey (the browser creates it). Signed in (the security page), or in the middle of a sign-in
 * that requires one (`ticket`): then the enrolment finishes the sign-in (`result.session`). A
 * first factor comes with recovery codes, shown before `onDone`.
 */
export function EnrolSecondFactor({
  ticket,
  methods = ['TOTP', 'PASSKEY'],
  onDone,
  onCancel,
}: {
  ticket?: string;
  methods?: Array<'TOTP' | 'PASSKEY'>;
  onDone: (result: EnrolmentResult) => void | Promise<void>;
  onCancel?: () => void;
}) {
  const text = useUiText().enrol;
  const variables = ticket ? { ticket } : {};
  const [startTotp] = useMutation(StartTotpEnrolmentDocument);
  const [confirmTotp, { loading: confirming }] = useMutation(ConfirmTotpEnrolmentDocument);
  const [registrationOptions] = useMutation(PasskeyRegistrationOptionsDocument);
  const [register, { loading: registering }] = useMutation(RegisterPasskeyDocument);
  const [totp, setTotp] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [passkeyName, setPasskeyName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [result, setResult] = useState<EnrolmentResult | null>(null);
  const [busy, setBusy] = useState(false);

  async function finished(next: EnrolmentResult) {
    if (next.recoveryCodes.length > 0) setResult(next);
    else await onDone(next);
  }

  async function beginTotp() {
    setProblem(null);
    setBusy(true);
    try {
      const { data } = await startTotp({ variables });
      setTotp(data!.startTotpEnrolment);
    } catch (error) {
      setProblem(secondFactorProblem(error));
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    setCodeError(undefined);
    setProblem(null);
    if (!/^\d{6}$/.test(code)) {
      setCodeError(text.codeFormat);
      return;
    }
    try {
      const { data } = await confirmTotp({ variables: { ...variables, code } });
      await finished(data!.confirmTotpEnrolment);
    } catch (error) {
      const message = fieldErrors(error).code;
      if (message) setCodeError(message);
      else setProblem(secondFactorProblem(error));
      setCode('');
    }
  }

  async function addPasskey(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      const { data } = await registrationOptions({ variables });
      const response = await createPasskey(data!.passkeyRegistrationOptions);
      const registered = await register({ variables: { ...variables, response, name: passkeyName.trim() || text.defaultPasskeyName } });
      await finished(registered.data!.registerPasskey);
    } catch (error) {
      setProblem(secondFactorProblem(error));
    } finally {
      setBusy(false);
    }
  }

  if (result) return <RecoveryCodes codes={result.recoveryCodes} onDone={() => void onDone(result)} doneLabel={ticket ? text.savedContinue : undefined} />;

  if (totp) {
    return (
      <div className="mfa-enrol">
        <h2>{text.totpTitle}</h2>
        <ol className="mfa-steps">
          <li>{text.totpStep1}</li>
          <li>
            {text.totpStep2}
            <div className="mfa-qr">
              <img src={totp.qrCodeDataUrl} alt={text.qrAlt} width={176} height={176} />
              <div>
                <div className="muted small">{text.key}</div>
                <code className="mfa-secret" aria-label={text.keyLabel}>
                  {totp.secret.replace(/(.{4})/g, '$1 ').trim()}
                </code>
              </div>
            </div>
          </li>
          <li>{text.totpStep3}</li>
        </ol>
        <ErrorBox>{problem}</ErrorBox>
        <form onSubmit={submitCode} noValidate>
          <OneTimeCode label={text.codeLabel} value={code} onChange={setCode} error={codeError} />
          <div className="mfa-actions">
            <button type="submit" className="primary" disabled={confirming}>
              {confirming ? text.checking : text.turnOn}
            </button>
            <button type="button" className="link" onClick={() => setTotp(null)}>
              {text.back}
            </button>
          </div>
        </form>
      </div>
    );
  }

  return (
    <div className="mfa-enrol">
      <ErrorBox>{problem}</ErrorBox>
      <div className="mfa-options">
        {methods.includes('TOTP') && (
          <section className="mfa-option">
            <h3>{text.totpOption}</h3>
            <p className="muted">{text.totpOptionHelp}</p>
            <button type="button" className="primary" onClick={beginTotp} disabled={busy}>
              {text.totpOptionStart}
            </button>
          </section>
        )}
        {methods.includes('PASSKEY') && passkeysSupported() && (
          <section className="mfa-option">
            <h3>{text.passkeyOption}</h3>
            <p className="muted">{text.passkeyOptionHelp}</p>
            <form onSubmit={addPasskey} noValidate>
              <InputField className="mfa-field" label={text.passkeyName} placeholder={text.passkeyNamePlaceholder} maxLength={100} value={passkeyName} onChange={(e) => setPasskeyName(e.target.value)} />
              <button type="submit" disabled={busy || registering}>
                {registering ? text.saving : text.createPasskey}
              </button>
            </form>
          </section>
        )}
      </div>
      {onCancel && (
        <button type="button" className="link" onClick={onCancel}>
          {text.cancel}
        </button>
      )}
    </div>
  );
}
