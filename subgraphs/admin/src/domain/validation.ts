import type { z } from 'zod';
import { badInput } from '@clinicult/kit';

/**
 * Parses input with a zod schema; the first problem becomes BAD_USER_INPUT naming the field
 * (`extensions.field`) and saying what to send instead.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  throw badInput(field ? `${field}: ${issue.message}` : issue.message, [field]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

let listedZones: Map<string, string> | null = null;

/** The runtime's time zones by lower-case name (`Intl.supportedValuesOf`, plus UTC). */
function zonesByLowerCase(): Map<string, string> {
  listedZones ??= new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]));
  return listedZones;
}

/**
 * The IANA time zone to store for `input`, or null when the runtime's time zone database does not
 * know it. Accepted: the zones `Intl.supportedValuesOf('timeZone')` lists (stored in their listed
 * spelling, whatever the case typed) and the aliases `Intl.DateTimeFormat` resolves (`Asia/Kolkata`,
 * `Etc/UTC`, `US/Eastern`, kept as typed so the operator's modern name is not replaced by ICU's
 * legacy one). Offsets (`+01:00`) are refused: a clinic's day follows its zone's daylight-saving rules.
 */
export function canonicalTimeZone(input: string): string | null {
  const candidate = input.trim();
  if (candidate.length === 0 || candidate.length > 64) return null;
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(candidate)) return null;
  const listed = zonesByLowerCase().get(candidate.toLowerCase());
  if (listed) return listed;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: candidate }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved.toLowerCase() === candidate.toLowerCase() ? resolved : candidate;
}
