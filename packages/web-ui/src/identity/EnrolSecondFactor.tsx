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
      setCodeError('Enter the 6-digit code the app shows now.');
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
      const registered = await register({ variables: { ...variables, response, name: passkeyName.trim() || 'Passkey' } });
      await finished(registered.data!.registerPasskey);
    } catch (error) {
      setProblem(secondFactorProblem(error));
    } finally {
      setBusy(false);
    }
  }

  if (result) return <RecoveryCodes codes={result.recoveryCodes} onDone={() => void onDone(result)} doneLabel={ticket ? 'I have saved them — continue' : 'I have saved them'} />;

  if (totp) {
    return (
      <div className="mfa-enrol">
        <h2>Set up your authenticator app</h2>
        <ol className="mfa-steps">
          <li>Open an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …) and add an account.</li>
          <li>
            Scan this code, or type the key by hand.
            <div className="mfa-qr">
              <img src={totp.qrCodeDataUrl} alt="QR code to add Clinicult to an authenticator app" width={176} height={176} />
              <div>
                <div className="muted small">Key</div>
                <code className="mfa-secret" aria-label="Key for the authenticator app">
                  {totp.secret.replace(/(.{4})/g, '$1 ').trim()}
                </code>
              </div>
            </div>
          </li>
          <li>Enter the 6-digit code the app shows.</li>
        </ol>
        <ErrorBox>{problem}</ErrorBox>
        <form onSubmit={submitCode} noValidate>
          <OneTimeCode label="Code from the app" value={code} onChange={setCode} error={codeError} />
          <div className="mfa-actions">
            <button type="submit" className="primary" disabled={confirming}>
              {confirming ? 'Checking…' : 'Turn on'}
            </button>
            <button type="button" className="link" onClick={() => setTotp(null)}>
              Back
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
            <h3>Authenticator app</h3>
            <p className="muted">A 6-digit code from an app on your phone, new every 30 seconds.</p>
            <button type="button" className="primary" onClick={beginTotp} disabled={busy}>
              Set up an authenticator app
            </button>
          </section>
        )}
        {methods.includes('PASSKEY') && passkeysSupported() && (
          <section className="mfa-option">
            <h3>Passkey</h3>
            <p className="muted">This device (fingerprint, face, PIN) or a security key confirms it is you.</p>
            <form onSubmit={addPasskey} noValidate>
              <InputField className="mfa-field" label="Name of the passkey" placeholder="e.g. Reception laptop" maxLength={100} value={passkeyName} onChange={(e) => setPasskeyName(e.target.value)} />
              <button type="submit" disabled={busy || registering}>
                {registering ? 'Saving…' : 'Create a passkey'}
              </button>
            </form>
          </section>
        )}
      </div>
      {onCancel && (
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
