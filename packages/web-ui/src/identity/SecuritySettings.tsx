import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { MySecondFactorsDocument, RegenerateRecoveryCodesDocument, RemovePasskeyDocument, RemoveTotpDocument } from './documents';
import { ErrorBox, formatDateTime, InputField, Loading } from '../ui';
import { fieldErrors, plainMessage } from '../errors';
import { EnrolSecondFactor } from './EnrolSecondFactor';
import { RecoveryCodes } from './RecoveryCodes';

const when = (value: string | null) => formatDateTime(value) || 'never';

/** The signed-in person's second factors: add, remove (with the password), new recovery codes. */
export function SecuritySettings() {
  const { data, loading, error, refetch } = useQuery(MySecondFactorsDocument, { fetchPolicy: 'network-only' });
  const [removeTotp] = useMutation(RemoveTotpDocument);
  const [removePasskey] = useMutation(RemovePasskeyDocument);
  const [regenerate] = useMutation(RegenerateRecoveryCodesDocument);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<{ kind: 'totp' } | { kind: 'passkey'; id: string; name: string } | null>(null);
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const [freshCodes, setFreshCodes] = useState<string[] | null>(null);
  const factors = data?.mySecondFactors;

  if (loading && !factors) return <Loading />;
  if (error && !factors) return <ErrorBox>{plainMessage(error)}</ErrorBox>;
  if (!factors) return null;
  if (freshCodes) return <RecoveryCodes codes={freshCodes} onDone={() => { setFreshCodes(null); void refetch(); }} />;
  if (adding) {
    return (
      <EnrolSecondFactor
        methods={factors.totp ? ['PASSKEY'] : ['TOTP', 'PASSKEY']}
        onDone={async () => {
          setAdding(false);
          await refetch();
        }}
        onCancel={() => setAdding(false)}
      />
    );
  }

  async function confirmRemoval(event: FormEvent) {
    event.preventDefault();
    if (!removing) return;
    setPasswordError(undefined);
    setProblem(null);
    try {
      if (removing.kind === 'totp') await removeTotp({ variables: { password } });
      else await removePasskey({ variables: { id: removing.id, password } });
      setRemoving(null);
      setPassword('');
      await refetch();
    } catch (e) {
      const message = fieldErrors(e).password;
      if (message) setPasswordError(message);
      else setProblem(plainMessage(e));
    }
  }

  const enrolled = factors.totp || factors.passkeys.length > 0;
  return (
    <div className="mfa-settings">
      <p>
        {enrolled
          ? 'Signing in asks for your password and one of these.'
          : 'Add a second factor so that a password alone cannot open your account.'}
        {factors.required && ' Your account must keep at least one.'}
      </p>
      <ErrorBox>{problem}</ErrorBox>
      <table className="mfa-table">
        <caption className="visually-hidden">Second factors</caption>
        <tbody>
          <tr>
            <th scope="row">Authenticator app</th>
            <td>{factors.totp ? 'On' : 'Not set up'}</td>
            <td>
              {factors.totp && (
                <button type="button" onClick={() => { setRemoving({ kind: 'totp' }); setPassword(''); }}>
                  Remove
                </button>
              )}
            </td>
          </tr>
          {factors.passkeys.map((p) => (
            <tr key={p.id}>
              <th scope="row">Passkey “{p.name}”</th>
              <td>last used {when(p.lastUsedAt)}</td>
              <td>
                <button type="button" onClick={() => { setRemoving({ kind: 'passkey', id: p.id, name: p.name }); setPassword(''); }}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">Recovery codes</th>
            <td>{enrolled ? `${factors.recoveryCodesLeft} left` : '—'}</td>
            <td>
              {enrolled && (
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      const { data: next } = await regenerate();
                      setFreshCodes(next!.regenerateRecoveryCodes);
                    } catch (e) {
                      setProblem(plainMessage(e));
                    }
                  }}
                >
                  New codes
                </button>
              )}
            </td>
          </tr>
        </tbody>
      </table>
      {removing ? (
        <form className="mfa-remove" onSubmit={confirmRemoval} noValidate>
          <p>Remove {removing.kind === 'totp' ? 'the authenticator app' : `the passkey “${removing.name}”`}? Enter your password to confirm.</p>
          <InputField className="mfa-field" label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={passwordError} autoFocus />
          <div className="mfa-actions">
            <button type="submit" className="danger">
              Remove
            </button>
            <button type="button" className="link" onClick={() => setRemoving(null)}>
              Keep it
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          {enrolled ? 'Add a passkey' : 'Add a second factor'}
        </button>
      )}
    </div>
  );
}
