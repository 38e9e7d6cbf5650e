import { useEffect } from 'react';
import { useQuery } from '@apollo/client';
import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { setDisplayFormat, setUiLanguage } from '@clinicult/web-ui';
import { AppPreferencesDocument } from '../graphql';
import { useSession } from '../session';
import { en } from './en';
import { es } from './es';

/**
 * Languages (issue 17, i18next): a person's own choice (users' `User.locale`), else their clinic's
 * default (`ClinicSettings.defaultLocale`), else English; before sign-in, the browser's language. Dates and times are written in that
 * language and in the clinic's time zone.
 */
export const LANGUAGES = { en: 'English', es: 'Español' } as const;
export type Language = keyof typeof LANGUAGES;

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, es: { translation: es } },
  lng: 'en',
  fallbackLng: 'en',
  // React escapes what it renders
  interpolation: { escapeValue: false },
  // the catalogues are in the bundle: ready before the first render
  initAsync: false,
});

/** A supported language for a tag (es-ES → es), or null. */
export function supported(tag: string | null | undefined): Language | null {
  const base = tag?.toLowerCase().split('-')[0];
  return base && base in LANGUAGES ? (base as Language) : null;
}

function browserLanguage(): Language | null {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const language = supported(tag);
    if (language) return language;
  }
  return null;
}

/**
 * Speaks this language (the catalogue, dates and numbers, web-ui's own words, the page's `lang`)
 * while the component is shown. web-ui's words written outside React (sign-out reasons, error
 * texts, checks) follow setUiLanguage, set before the catalogue changes so the re-render reads
 * them; its components follow <UiLanguage>, which main.tsx keeps on i18n's language.
 */
export function useLanguage(language: Language | null, timeZone: string | null = null): void {
  useEffect(() => {
    if (!language) return;
    setDisplayFormat({ locale: language, timeZone });
    setUiLanguage(language);
    document.documentElement.lang = language;
    if (i18n.language !== language) void i18n.changeLanguage(language);
  }, [language, timeZone]);
}

/** The signed-in person's language and their clinic's time zone, applied to the whole app. */
export function usePreferences({ enabled = true }: { enabled?: boolean } = {}): { chosen: Language | null; clinicDefault: Language; userId: string | null } {
  const session = useSession();
  const { data } = useQuery(AppPreferencesDocument, { skip: !session || !enabled, errorPolicy: 'all', fetchPolicy: 'cache-and-network' });
  const chosen = supported(data?.me?.locale);
  // before sign-in there is no clinic yet: the browser's own language, if the app speaks it
  const clinicDefault = supported(data?.clinicSettings?.defaultLocale) ?? (session ? null : browserLanguage()) ?? 'en';
  const language = chosen ?? clinicDefault;
  const timeZone = data?.me?.memberships.find((m) => m.clinic.id === session?.clinicId)?.clinic.timeZone ?? null;
  useLanguage(enabled ? language : null, timeZone);
  return { chosen, clinicDefault, userId: data?.me?.id ?? null };
}

export { useTranslation };
