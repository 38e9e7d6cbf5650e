import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { MySecondFactorsDocument, RegenerateRecoveryCodesDocument, RemovePasskeyDocument, RemoveTotpDocument } from './documents';
import { ErrorBox, formatDateTime, InputField, Loading } from '../ui';
import { fieldErrors, plainMessage } from '../errors';
import { fill, useUiText } from '../i18n';
import { EnrolSecondFactor } from './EnrolSecondFactor';
import { RecoveryCodes } from './RecoveryCodes';

/** The signed-in person's second factors: add, remove (with the password), new recovery codes. */
export function SecuritySettings() {
  const text = useUiText().security;
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
        {enrolled ? text.enrolled : text.notEnrolled}
        {factors.required && ` ${text.mustKeepOne}`}
      </p>
      <ErrorBox>{problem}</ErrorBox>
      <table className="mfa-table">
        <caption className="visually-hidden">{text.caption}</caption>
        <tbody>
          <tr>
            <th scope="row">{text.app}</th>
            <td>{factors.totp ? text.on : text.notSetUp}</td>
            <td>
              {factors.totp && (
                <button type="button" onClick={() => { setRemoving({ kind: 'totp' }); setPassword(''); }}>
                  {text.remove}
                </button>
              )}
            </td>
          </tr>
          {factors.passkeys.map((p) => (
            <tr key={p.id}>
              <th scope="row">{fill(text.passkey, { name: p.name })}</th>
              <td>{fill(text.lastUsed, { when: formatDateTime(p.lastUsedAt) || text.never })}</td>
              <td>
                <button type="button" onClick={() => { setRemoving({ kind: 'passkey', id: p.id, name: p.name }); setPassword(''); }}>
                  {text.remove}
                </button>
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">{text.recoveryCodes}</th>
            <td>{enrolled ? fill(text.codesLeft, { count: factors.recoveryCodesLeft }) : '—'}</td>
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
                  {text.newCodes}
                </button>
              )}
            </td>
          </tr>
        </tbody>
      </table>
      {removing ? (
        <form className="mfa-remove" onSubmit={confirmRemoval} noValidate>
          <p>{removing.kind === 'totp' ? text.removeTotp : fill(text.removePasskey, { name: removing.name })}</p>
          <InputField className="mfa-field" label={text.password} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={passwordError} autoFocus />
          <div className="mfa-actions">
            <button type="submit" className="danger">
              {text.remove}
            </button>
            <button type="button" className="link" onClick={() => setRemoving(null)}>
              {text.keep}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          {enrolled ? text.addPasskey : text.addSecondFactor}
        </button>
      )}
    </div>
  );
}
