import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { ConfirmDialog, Empty, ErrorBox, fieldErrors, formatDateTime, InputField, Loading, Notice, PageTitle, plainMessage } from '@clinicult/web-ui';
import { Trans } from 'react-i18next';
import { DisplaysDocument, RegisterDisplayDocument, RevokeDisplayDocument, type DisplayFieldsFragment } from '../../graphql';
import { useTranslation } from '../../i18n';

/**
 * ADMIN: the clinic's waiting-room displays (issue 17). A display runs all day on a key of its own,
 * not on anybody's session: register it here, type its key on the screen's /display page, revoke
 * it when the screen is replaced or lost. The key is shown once.
 */
export default function Displays() {
  const { t } = useTranslation();
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
    if (!name.trim()) return setNameError(t('admin.displays.nameMissing'));
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
      <PageTitle>{t('admin.displays.title')}</PageTitle>
      <p className="muted">{t('admin.displays.intro')}</p>
      <ErrorBox>{problem ?? (error && !data ? plainMessage(error) : null)}</ErrorBox>
      {issued && (
        <div className="card display-key" role="status" aria-labelledby="key-title">
          <h2 id="key-title">{t('admin.displays.keyTitle', { name: issued.name })}</h2>
          <p>
            <Trans t={t} i18nKey="admin.displays.keyHelp" values={{ url: `${window.location.origin}/display` }} components={{ code: <code /> }} />
          </p>
          <p>
            <code className="key" aria-label={t('admin.displays.key')}>
              {issued.key}
            </code>{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(issued.key)}>
              {t('admin.displays.copy')}
            </button>
          </p>
          <button type="button" className="link-button" onClick={() => setIssued(null)}>
            {t('admin.displays.done')}
          </button>
        </div>
      )}
      <form className="inline-form card" onSubmit={onRegister} noValidate aria-label={t('admin.displays.registerForm')}>
        <InputField
          label={t('admin.displays.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError}
          maxLength={120}
          help={t('admin.displays.nameHelp')}
        />
        <button type="submit" className="primary" disabled={registering.loading}>
          {registering.loading ? t('admin.displays.registering') : t('admin.displays.register')}
        </button>
      </form>
      {loading && !data ? (
        <Loading what={t('admin.displays.loading')} />
      ) : displays.length === 0 ? (
        <Empty>{t('admin.displays.empty')}</Empty>
      ) : (
        <table className="table">
          <caption className="sr-only">{t('admin.displays.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.displays.columnName')}</th>
              <th scope="col">{t('admin.displays.registered')}</th>
              <th scope="col">{t('admin.displays.lastSignedIn')}</th>
              <th scope="col">{t('admin.displays.status')}</th>
              <th scope="col">
                <span className="sr-only">{t('admin.displays.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {displays.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{t('admin.displays.registeredBy', { when: formatDateTime(d.createdAt), name: d.createdBy.displayName })}</td>
                <td>{d.lastUsedAt ? formatDateTime(d.lastUsedAt) : t('admin.displays.never')}</td>
                <td>{d.revokedAt ? t('admin.displays.revokedAt', { when: formatDateTime(d.revokedAt) }) : t('admin.displays.inUse')}</td>
                <td>
                  {!d.revokedAt && (
                    <button type="button" className="danger small" onClick={() => setToRevoke(d)}>
                      {t('admin.displays.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {displays.some((d) => d.revokedAt) && <Notice>{t('admin.displays.revokedNotice')}</Notice>}
      <ConfirmDialog
        open={!!toRevoke}
        title={t('admin.displays.confirmTitle', { name: toRevoke?.name ?? '' })}
        confirmLabel={t('admin.displays.confirmLabel')}
        danger
        busy={revoking.loading}
        onConfirm={() => void onRevoke()}
        onCancel={() => setToRevoke(null)}
      >
        {t('admin.displays.confirmBody')}
      </ConfirmDialog>
    </section>
  );
}
