/**
 * The languages the staff app speaks (issue 17). A clinic's settings name one as its default; a
 * person may choose another. The web apps hold one message catalogue per entry.
 */
export const SUPPORTED_LOCALES = ['en', 'es'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: SupportedLocale = 'en';
