import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { ErrorBox, fieldErrors, focusFirstError, InputField, plainMessage, SelectField } from '@clinicult/web-ui';
import { ActiveTemplatesDocument, CheckInDocument } from '../graphql';
import { useTranslation } from '../i18n';

/** OFFICE: check a patient in with a reason and, optionally, an active template. */
export function CheckInForm({ patientId }: { patientId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  // the clinic service may be unavailable: a check-in without a template still works
  const templates = useQuery(ActiveTemplatesDocument, { errorPolicy: 'all', fetchPolicy: 'network-only' });
  const [checkIn, { loading }] = useMutation(CheckInDocument);
  const [reason, setReason] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const form = useRef<HTMLFormElement>(null);
  const available = templates.data?.templates ?? [];

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setErrors({ reason: t('visit.checkIn.reasonMissing') });
      requestAnimationFrame(() => focusFirstError(form.current));
      return;
    }
    setErrors({});
    try {
      const { data } = await checkIn({
        variables: { patientId, reason: reason.trim(), templateId: templateId || null, priority: urgent ? 'URGENT' : 'ROUTINE' },
      });
      navigate(`/visits/${data!.checkIn.id}`);
    } catch (error) {
      const byField = fieldErrors(error as Error);
      setErrors({
        reason: byField.reason,
        templateId: byField.templateId,
        form: byField.reason || byField.templateId ? undefined : (byField._form ?? plainMessage(error as Error)),
      });
      requestAnimationFrame(() => focusFirstError(form.current));
    }
  }

  return (
    <form ref={form} onSubmit={onSubmit} noValidate className="inline-form" aria-label={t('visit.checkIn.form')}>
      <ErrorBox>{errors.form}</ErrorBox>
      <InputField label={t('visit.checkIn.reason')} value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} required maxLength={500} />
      <SelectField
        label={t('visit.checkIn.template')}
        value={templateId}
        onChange={(e) => setTemplateId(e.target.value)}
        error={errors.templateId}
        help={
          templates.loading
            ? t('visit.checkIn.loadingTemplates')
            : templates.error && available.length === 0
              ? t('visit.checkIn.templatesUnavailable')
              : available.length === 0
                ? t('visit.checkIn.noActiveTemplates')
                : t('visit.checkIn.templateHelp')
        }
      >
        <option value="">{t('visit.checkIn.noTemplate')}</option>
        {available.map((template) => (
          <option key={template.id} value={template.id}>
            {t('visit.checkIn.option', {
              name: template.name,
              kind: template.kind === 'INTAKE' ? t('visit.checkIn.kind.intake') : t('visit.checkIn.kind.note'),
              version: template.version,
            })}
          </option>
        ))}
      </SelectField>
      <div className="field checkbox-field">
        <label>
          <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} /> {t('visit.checkIn.urgent')}
        </label>
      </div>
      <button type="submit" className="primary" disabled={loading}>
        {loading ? t('visit.checkIn.submitting') : t('visit.checkIn.submit')}
      </button>
    </form>
  );
}
