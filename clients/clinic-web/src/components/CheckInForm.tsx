import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { useNavigate } from 'react-router-dom';
import { ErrorBox, fieldErrors, focusFirstError, InputField, plainMessage, SelectField } from '@clinicult/web-ui';
import { ActiveTemplatesDocument, CheckInDocument } from '../graphql';

/** OFFICE: check a patient in with a reason and, optionally, an active template. */
export function CheckInForm({ patientId }: { patientId: string }) {
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
      setErrors({ reason: 'Enter the reason for the visit.' });
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
    <form ref={form} onSubmit={onSubmit} noValidate className="inline-form" aria-label="Check in">
      <ErrorBox>{errors.form}</ErrorBox>
      <InputField label="Reason for the visit" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} required maxLength={500} />
      <SelectField
        label="Template"
        value={templateId}
        onChange={(e) => setTemplateId(e.target.value)}
        error={errors.templateId}
        help={
          templates.loading
            ? 'Loading the templates…'
            : templates.error && available.length === 0
              ? 'Templates are not available right now; the visit can be checked in without one.'
              : available.length === 0
                ? 'This clinic has no active templates.'
                : 'Optional: the form the nurse or doctor fills in.'
        }
      >
        <option value="">No template</option>
        {available.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.kind === 'INTAKE' ? 'intake' : 'doctor’s note'}, v{t.version})
          </option>
        ))}
      </SelectField>
      <div className="field checkbox-field">
        <label>
          <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} /> Urgent: first in the queue
        </label>
      </div>
      <button type="submit" className="primary" disabled={loading}>
        {loading ? 'Checking in…' : 'Check in'}
      </button>
    </form>
  );
}
