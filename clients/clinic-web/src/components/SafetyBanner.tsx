import type { AllergySeverity } from '../graphql';
import { useTranslation } from '../i18n';

export interface SafetyFacts {
  allergies?: ReadonlyArray<{ substance: string; reaction?: string | null; severity?: AllergySeverity | null }> | null;
  chronicConditions?: readonly string[] | null;
  currentMedications?: readonly string[] | null;
}

/**
 * What a nurse or doctor must have in front of them beside the visit (issue 17): the recorded
 * allergies (or "No known allergies"), chronic conditions and current medications. Only for viewers
 * who may read medical data: the caller renders it only then (the query asks for it only then).
 */
export function SafetyBanner({ facts }: { facts: SafetyFacts }) {
  const { t } = useTranslation();
  const allergies = facts.allergies ?? [];
  const conditions = facts.chronicConditions ?? [];
  const medications = facts.currentMedications ?? [];
  return (
    <section className="safety-banner" aria-label={t('visit.safety.region')}>
      <div className={allergies.length > 0 ? 'safety-item has-allergies' : 'safety-item'}>
        <span className="safety-label">{t('visit.safety.allergies')}</span>
        {allergies.length === 0 ? (
          <span>{t('visit.safety.noAllergies')}</span>
        ) : (
          <ul className="safety-list">
            {allergies.map((a) => (
              <li key={a.substance}>
                <strong>{a.substance}</strong>
                {a.reaction ? ` (${a.reaction})` : ''}
                {a.severity ? <span className={`severity severity-${a.severity.toLowerCase()}`}>{t(`visit.safety.severity.${a.severity}`)}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="safety-item">
        <span className="safety-label">{t('visit.safety.conditions')}</span>
        <span>{conditions.length ? conditions.join(', ') : t('visit.safety.noneRecorded')}</span>
      </div>
      <div className="safety-item">
        <span className="safety-label">{t('visit.safety.medications')}</span>
        <span>{medications.length ? medications.join(', ') : t('visit.safety.noneRecorded')}</span>
      </div>
    </section>
  );
}
