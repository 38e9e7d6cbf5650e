/** IANA time zones the browser knows (for the picker) and a check for what was typed. */
export function timeZoneNames(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const names = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return names.includes('UTC') ? names : ['UTC', ...names];
}

/** The zone's canonical spelling, or null when it is not an IANA time zone. */
export function canonicalTimeZone(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '' || !/^[A-Za-z0-9_+\-/]+$/.test(trimmed)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function validateTimeZone(value: string): string | undefined {
  if (value.trim() === '') return 'Choose the clinic’s time zone, e.g. Europe/Madrid.';
  if (!canonicalTimeZone(value)) return `“${value.trim()}” is not an IANA time zone. Pick one from the list, e.g. Europe/Madrid or America/New_York.`;
  return undefined;
}
