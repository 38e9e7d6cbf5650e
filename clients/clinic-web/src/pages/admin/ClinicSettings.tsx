import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { ErrorBox, fieldErrors, focusFirstError, InputField, Loading, Notice, PageTitle, plainMessage, SelectField, TextAreaField } from '@clinicult/web-ui';
import { useTranslation } from '../../i18n';
import { ClinicSettingsDocument, UpdateClinicSettingsDocument, type ClinicSettingsFieldsFragment, type Weekday } from '../../graphql';

/**
 * ADMIN: the clinic's settings (clinic:write). The reasons offered at check-in, the opening hours,
 * when the queue highlights a long wait in each state (issue 17), and the language the staff app
 * starts in for people who have not chosen one.
 */
const DAYS: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const STATES = ['WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT'] as const;
// each language by its own name, whatever the language shown
const LANGUAGES: Record<string, string> = { en: 'English', es: 'Español' };

interface Draft {
  address: string;
  phone: string;
  visitReasons: string;
  hours: Record<Weekday, { open: boolean; opens: string; closes: string }>;
  /** minutes per state, '' = never highlighted */
  thresholds: Record<string, string>;
  defaultLocale: string;
}

function draftOf(settings: ClinicSettingsFieldsFragment): Draft {
  return {
    address: settings.address ?? '',
    phone: settings.phone ?? '',
    visitReasons: settings.visitReasons.join('\n'),
    hours: Object.fromEntries(
      DAYS.map((day) => {
        const h = settings.openingHours.find((o) => o.day === day);
        return [day, { open: !!h, opens: h?.opens ?? '08:00', closes: h?.closes ?? '18:00' }];
      }),
    ) as Draft['hours'],
    thresholds: Object.fromEntries(STATES.map((s) => [s, String(settings.waitThresholds.find((t) => t.state === s)?.minutes ?? '')])),
    defaultLocale: settings.defaultLocale,
  };
}

export default function ClinicSettings() {
  const { t } = useTranslation();
  const { data, loading, error } = useQuery(ClinicSettingsDocument, { fetchPolicy: 'network-only' });
  const [update, { loading: saving }] = useMutation(UpdateClinicSettingsDocument);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (data && !draft) setDraft(draftOf(data.clinicSettings));
  }, [data, draft]);

  if (loading && !data) return <Loading what={t('admin.settings.loading')} />;
  if (!draft) return <ErrorBox>{error && plainMessage(error)}</ErrorBox>;

  const set = (change: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...draft, ...change });
  };
  const thresholdStates = STATES.filter((s) => draft.thresholds[s]!.trim() !== '');

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setErrors({});
    try {
      const { data: answer } = await update({
        variables: {
          input: {
            address: draft!.address,
            phone: draft!.phone,
            visitReasons: draft!.visitReasons.split('\n').map((r) => r.trim()).filter(Boolean),
            openingHours: DAYS.filter((d) => draft!.hours[d].open).map((day) => ({ day, opens: draft!.hours[day].opens, closes: draft!.hours[day].closes })),
            waitThresholds: thresholdStates.map((state) => ({ state, minutes: Number(draft!.thresholds[state]) })),
            defaultLocale: draft!.defaultLocale,
          },
        },
      });
      setDraft(draftOf(answer!.updateClinicSettings));
      setSaved(true);
    } catch (e) {
      const byField = fieldErrors(e as Error);
      // a threshold's problem is shown beside its state (the list sent holds the filled ones, in order)
      const shown: Record<string, string | undefined> = {};
      for (const [path, message] of Object.entries(byField)) {
        const threshold = /^input\.waitThresholds\[(\d+)\]/.exec(path);
        if (threshold) shown[`threshold.${thresholdStates[Number(threshold[1])]}`] = message;
        else if (path.startsWith('input.openingHours')) shown.openingHours = message;
        else shown[path.replace(/^input\./, '').replace(/\[\d+\]$/, '')] = message;
      }
      if (Object.keys(shown).length === 0) shown._form = plainMessage(e as Error);
      setErrors(shown);
      focusFirstError(form);
    }
  }

  return (
    <section>
      <PageTitle>{t('admin.settings.title')}</PageTitle>
      {saved && <Notice tone="success">{t('admin.settings.saved')}</Notice>}
      <form onSubmit={onSubmit} noValidate className="settings-form">
        <ErrorBox>{errors._form}</ErrorBox>
        <fieldset className="card">
          <legend>{t('admin.settings.contact')}</legend>
          <InputField label={t('admin.settings.address')} value={draft.address} onChange={(e) => set({ address: e.target.value })} error={errors.address} maxLength={500} />
          <InputField label={t('admin.settings.phone')} value={draft.phone} onChange={(e) => set({ phone: e.target.value })} error={errors.phone} maxLength={40} inputMode="tel" />
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.settings.waits')}</legend>
          <p className="muted small">{t('admin.settings.waitsHelp')}</p>
          <div className="threshold-grid">
            {STATES.map((state) => (
              <InputField
                key={state}
                label={t('admin.settings.threshold', { state: t(`states.${state}`) })}
                type="number"
                min={1}
                max={720}
                inputMode="numeric"
                value={draft.thresholds[state]}
                onChange={(e) => set({ thresholds: { ...draft.thresholds, [state]: e.target.value } })}
                error={errors[`threshold.${state}`]}
              />
            ))}
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.settings.checkIn')}</legend>
          <TextAreaField
            label={t('admin.settings.visitReasons')}
            help={t('admin.settings.visitReasonsHelp')}
            rows={6}
            value={draft.visitReasons}
            onChange={(e) => set({ visitReasons: e.target.value })}
            error={errors.visitReasons}
          />
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.settings.hours')}</legend>
          {errors.openingHours && <ErrorBox>{errors.openingHours}</ErrorBox>}
          <table className="table hours">
            <caption className="sr-only">{t('admin.settings.hoursCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.settings.day')}</th>
                <th scope="col">{t('admin.settings.open')}</th>
                <th scope="col">{t('admin.settings.opens')}</th>
                <th scope="col">{t('admin.settings.closes')}</th>
              </tr>
            </thead>
            <tbody>
              {DAYS.map((day) => {
                const h = draft.hours[day];
                const change = (c: Partial<typeof h>) => set({ hours: { ...draft.hours, [day]: { ...h, ...c } } });
                const dayName = t(`admin.settings.days.${day}`);
                return (
                  <tr key={day}>
                    <th scope="row">{dayName}</th>
                    <td>
                      <input type="checkbox" aria-label={t('admin.settings.openOn', { day: dayName })} checked={h.open} onChange={(e) => change({ open: e.target.checked })} />
                    </td>
                    <td>
                      <input type="time" aria-label={t('admin.settings.dayOpens', { day: dayName })} value={h.opens} disabled={!h.open} onChange={(e) => change({ opens: e.target.value })} />
                    </td>
                    <td>
                      <input type="time" aria-label={t('admin.settings.dayCloses', { day: dayName })} value={h.closes} disabled={!h.open} onChange={(e) => change({ closes: e.target.value })} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>

        <fieldset className="card">
          <legend>{t('admin.settings.language')}</legend>
          <SelectField
            label={t('admin.settings.defaultLanguage')}
            help={t('admin.settings.defaultLanguageHelp')}
            value={draft.defaultLocale}
            onChange={(e) => set({ defaultLocale: e.target.value })}
            error={errors.defaultLocale}
          >
            {Object.entries(LANGUAGES).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </SelectField>
        </fieldset>

        <button type="submit" className="primary" disabled={saving}>
          {saving ? t('admin.settings.saving') : t('admin.settings.save')}
        </button>
      </form>
    </section>
  );
}
