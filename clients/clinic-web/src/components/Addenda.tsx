import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client';
import { ErrorBox, fieldErrors, formatDateTime, plainMessage, TextAreaField } from '@clinicult/web-ui';
import { AddVisitAddendumDocument, type AddendumFieldsFragment } from '../graphql';
import { useTranslation } from '../i18n';

/** A finished visit's addenda, oldest first, and (for a doctor) a form to add one: the visit itself never changes. */
export function Addenda({ visitId, addenda, canAdd }: { visitId: string; addenda: readonly AddendumFieldsFragment[]; canAdd: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [add, { loading }] = useMutation(AddVisitAddendumDocument);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!text.trim()) return setError(t('chart.addenda.writeFirst'));
    try {
      await add({ variables: { visitId, text: text.trim() } });
      setText('');
      setOpen(false);
    } catch (e) {
      setError(fieldErrors(e as Error).text ?? plainMessage(e as Error));
    }
  }

  return (
    <div className="addenda">
      {addenda.length > 0 && (
        <>
          <h4 className="small">{t('chart.addenda.title')}</h4>
          <ul>
            {addenda.map((a) => (
              <li key={a.id}>
                <p className="addendum-text">{a.text}</p>
                <span className="muted small">
                  {t('chart.addenda.by', { name: a.by.displayName, when: formatDateTime(a.at) })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {canAdd &&
        (open ? (
          <form onSubmit={onSubmit} noValidate aria-label={t('chart.addenda.add')} className="no-print">
            <TextAreaField label={t('chart.addenda.label')} help={t('chart.addenda.help')} rows={3} maxLength={5000} value={text} onChange={(e) => setText(e.target.value)} error={error ?? undefined} />
            <button type="submit" className="primary small" disabled={loading}>
              {loading ? t('chart.common.saving') : t('chart.addenda.save')}
            </button>{' '}
            <button type="button" className="link-button" onClick={() => setOpen(false)}>
              {t('chart.common.cancel')}
            </button>
          </form>
        ) : (
          <button type="button" className="small no-print" onClick={() => setOpen(true)}>
            {t('chart.addenda.add')}
          </button>
        ))}
      {error && !open && <ErrorBox>{error}</ErrorBox>}
    </div>
  );
}
