import { useState } from 'react';
import { useMutation } from '@apollo/client';
import { ErrorBox, formatDateTime, plainMessage } from '@clinicult/web-ui';
import { DeclineClinicInvitationDocument, type Membership, type OwnInvitation } from '../graphql';

const ROLE_LABELS: Record<string, string> = { ADMIN: 'Administrator', DOCTOR: 'Doctor', NURSE: 'Nurse', OFFICE: 'Front desk' };
const roleList = (roles: string[]) => roles.map((r) => ROLE_LABELS[r] ?? r).join(', ');

/**
 * The clinics a person works in, each a button (roles shown so one knows what each allows), and
 * the invitations waiting for their answer: accepting joins the clinic and opens it.
 */
export function ClinicChoice({
  memberships,
  invitations = [],
  onChoose,
  onAccept,
  current,
  token,
}: {
  memberships: Membership[];
  invitations?: OwnInvitation[];
  onChoose: (clinicId: string) => Promise<void>;
  onAccept?: (invitation: OwnInvitation) => Promise<void>;
  current?: string | null;
  /** the token to answer invitations with (before a clinic is chosen) */
  token?: string;
}) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [declined, setDeclined] = useState<string[]>([]);
  const [decline] = useMutation(DeclineClinicInvitationDocument);
  async function run(id: string, what: () => Promise<void>) {
    setPending(id);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(plainMessage(e as Error));
    } finally {
      setPending(null);
    }
  }
  const open = invitations.filter((i) => !declined.includes(i.id));
  return (
    <>
      <ErrorBox>{error}</ErrorBox>
      {memberships.length === 0 && open.length === 0 && (
        <p>Your account does not belong to any clinic yet. Ask your clinic administrator to invite you.</p>
      )}
      {memberships.length > 0 && (
        <ul className="choice-list">
          {memberships.map((m) => (
            <li key={m.clinic.id}>
              <button type="button" onClick={() => run(m.clinic.id, () => onChoose(m.clinic.id))} disabled={pending !== null} aria-current={current === m.clinic.id ? 'true' : undefined}>
                <strong>{m.clinic.name}</strong>
                <span className="muted">{roleList(m.roles)}</span>
                {pending === m.clinic.id && <span className="muted"> — opening…</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {open.length > 0 && onAccept && (
        <section aria-labelledby="invitations-title" className="invitations">
          <h2 id="invitations-title">Invitations</h2>
          <ul className="invitation-list">
            {open.map((invitation) => (
              <li key={invitation.id} className="invitation">
                <div>
                  <strong>{invitation.clinic.name}</strong> invites you as {roleList(invitation.roles)}
                  <div className="muted small">
                    from {invitation.invitedByName} · open until {formatDateTime(invitation.expiresAt)}
                  </div>
                </div>
                <div className="actions">
                  <button type="button" className="primary" disabled={pending !== null} onClick={() => run(invitation.id, () => onAccept(invitation))}>
                    {pending === invitation.id ? 'Joining…' : `Accept and open ${invitation.clinic.name}`}
                  </button>
                  <button
                    type="button"
                    disabled={pending !== null}
                    onClick={() =>
                      run(invitation.id, async () => {
                        await decline({ variables: { id: invitation.id }, ...(token ? { context: { token } } : {}) });
                        setDeclined((d) => [...d, invitation.id]);
                      })
                    }
                  >
                    Decline
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
