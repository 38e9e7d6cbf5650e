import { useState } from 'react';
import { useMutation } from '@apollo/client';
import { Trans } from 'react-i18next';
import { ErrorBox, formatDateTime, plainMessage } from '@clinicult/web-ui';
import { DeclineClinicInvitationDocument, type Membership, type OwnInvitation } from '../graphql';
import { useTranslation } from '../i18n';

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
  const { t } = useTranslation();
  // the roles' names as the layout's account menu gives them (en.ts `roles`)
  const roleList = (roles: string[]) => roles.map((r) => t(`roles.${r}`, { defaultValue: r })).join(', ');
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
        <p>{t('access.choice.noClinic')}</p>
      )}
      {memberships.length > 0 && (
        <ul className="choice-list">
          {memberships.map((m) => (
            <li key={m.clinic.id}>
              <button type="button" onClick={() => run(m.clinic.id, () => onChoose(m.clinic.id))} disabled={pending !== null} aria-current={current === m.clinic.id ? 'true' : undefined}>
                <strong>{m.clinic.name}</strong>
                <span className="muted">{roleList(m.roles)}</span>
                {pending === m.clinic.id && <span className="muted"> {t('access.choice.opening')}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {open.length > 0 && onAccept && (
        <section aria-labelledby="invitations-title" className="invitations">
          <h2 id="invitations-title">{t('access.choice.invitations')}</h2>
          <ul className="invitation-list">
            {open.map((invitation) => (
              <li key={invitation.id} className="invitation">
                <div>
                  <Trans t={t} i18nKey="access.choice.invites" values={{ clinic: invitation.clinic.name, roles: roleList(invitation.roles) }} components={{ strong: <strong /> }} />
                  <div className="muted small">
                    {t('access.choice.from', { name: invitation.invitedByName, when: formatDateTime(invitation.expiresAt) })}
                  </div>
                </div>
                <div className="actions">
                  <button type="button" className="primary" disabled={pending !== null} onClick={() => run(invitation.id, () => onAccept(invitation))}>
                    {pending === invitation.id ? t('access.choice.joining') : t('access.choice.accept', { clinic: invitation.clinic.name })}
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
                    {t('access.choice.decline')}
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
