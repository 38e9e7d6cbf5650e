import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { ConfirmDialog, Empty, ErrorBox, fieldErrors, formatDateTime, InputField, Loading, Notice, PageTitle, plainMessage } from '@clinicult/web-ui';
import { DisplaysDocument, RegisterDisplayDocument, RevokeDisplayDocument, type DisplayFieldsFragment } from '../../graphql';

/**
 * ADMIN: the clinic's waiting-room displays (issue 17). A display runs all day on a key of its own,
 * not on anybody's session: register it here, type its key on the screen's /display page, revoke
 * it when the screen is replaced or lost. The key is shown once.
 */
export default function Displays() {
  const { data, loading, error, refetch } = useQuery(DisplaysDocument, { fetchPolicy: 'cache-and-network' });
  const [register, registering] = useMutation(RegisterDisplayDocument);
  const [revoke, revoking] = useMutation(RevokeDisplayDocument);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [issued, setIssued] = useState<{ name: string; key: string } | null>(null);
  const [toRevoke, setToRevoke] = useState<DisplayFieldsFragment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const displays = data?.displays ?? [];

  async function onRegister(event: FormEvent) {
    event.preventDefault();
    setNameError(undefined);
    setProblem(null);
    if (!name.trim()) return setNameError('Give the display a name, e.g. “Waiting room, ground floor”.');
    try {
      const { data: answer } = await register({ variables: { name: name.trim() } });
      setIssued({ name: answer!.registerDisplay.display.name, key: answer!.registerDisplay.key });
      setName('');
      await refetch();
    } catch (e) {
      const byField = fieldErrors(e as Error);
      if (byField.name) setNameError(byField.name);
      else setProblem(plainMessage(e as Error));
    }
  }

  async function onRevoke() {
    if (!toRevoke) return;
    try {
      await revoke({ variables: { id: toRevoke.id } });
      await refetch();
    } catch (e) {
      setProblem(plainMessage(e as Error));
    } finally {
      setToRevoke(null);
    }
  }

  return (
    <section>
      <PageTitle>Waiting-room displays</PageTitle>
      <p className="muted">
        A screen in the waiting room shows who is being called, by first name and initial only. It signs in with a key of its own — not a
        staff member&apos;s session — and can only show that board.
      </p>
      <ErrorBox>{problem ?? (error && !data ? plainMessage(error) : null)}</ErrorBox>
      {issued && (
        <div className="card display-key" role="status" aria-labelledby="key-title">
          <h2 id="key-title">Key for “{issued.name}”</h2>
          <p>
            On the display, open <code>{`${window.location.origin}/display`}</code> and enter this key. It is shown only now: copy it before you
            leave this page. If it is lost, revoke the display and register it again.
          </p>
          <p>
            <code className="key" aria-label="Display key">
              {issued.key}
            </code>{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(issued.key)}>
              Copy
            </button>
          </p>
          <button type="button" className="link-button" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      )}
      <form className="inline-form card" onSubmit={onRegister} noValidate aria-label="Register a display">
        <InputField label="Display name" value={name} onChange={(e) => setName(e.target.value)} error={nameError} maxLength={120} help="Where it hangs, so you know which one to revoke." />
        <button type="submit" className="primary" disabled={registering.loading}>
          {registering.loading ? 'Registering…' : 'Register display'}
        </button>
      </form>
      {loading && !data ? (
        <Loading what="Loading the displays" />
      ) : displays.length === 0 ? (
        <Empty>No displays yet.</Empty>
      ) : (
        <table className="table">
          <caption className="sr-only">The clinic&apos;s displays</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Registered</th>
              <th scope="col">Last signed in</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {displays.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>
                  {formatDateTime(d.createdAt)} by {d.createdBy.displayName}
                </td>
                <td>{d.lastUsedAt ? formatDateTime(d.lastUsedAt) : 'Never'}</td>
                <td>{d.revokedAt ? `Revoked ${formatDateTime(d.revokedAt)}` : 'In use'}</td>
                <td>
                  {!d.revokedAt && (
                    <button type="button" className="danger small" onClick={() => setToRevoke(d)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {displays.some((d) => d.revokedAt) && <Notice>A revoked display stops showing the board at once and cannot sign in again with its key.</Notice>}
      <ConfirmDialog
        open={!!toRevoke}
        title={`Revoke “${toRevoke?.name ?? ''}”?`}
        confirmLabel="Revoke display"
        danger
        busy={revoking.loading}
        onConfirm={() => void onRevoke()}
        onCancel={() => setToRevoke(null)}
      >
        The screen stops showing the board within seconds, and its key no longer works.
      </ConfirmDialog>
    </section>
  );
}
