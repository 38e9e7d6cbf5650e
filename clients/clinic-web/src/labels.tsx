// The clinic's words on screen: a visit's states, a patient's gender and age.
import { useTranslation } from './i18n';

/** A patient's gender in the current language: call it while rendering (the language can change). */
export function useGenderLabel(): (gender: string) => string {
  const { t } = useTranslation();
  return (gender) => t(`chart.gender.${gender}`, { defaultValue: gender });
}

export function StateBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  return <span className={`badge state-${state.toLowerCase()}`}>{t(`states.${state}`, { defaultValue: state })}</span>;
}

export function age(birthDate: string): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  const now = new Date();
  let years = now.getFullYear() - y!;
  if (now.getMonth() + 1 < m! || (now.getMonth() + 1 === m && now.getDate() < d!)) years -= 1;
  return years;
}
