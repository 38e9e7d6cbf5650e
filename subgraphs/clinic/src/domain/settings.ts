import { CURRENT_VISIT_STATES, DEFAULT_LOCALE, SUPPORTED_LOCALES } from '@clinicult/contracts';
import { parseInput } from '@clinicult/kit';
import { z } from 'zod';
import type { ClinicDb, ClinicSettingsRow, ClinicTx } from '../db.js';
import { ensureClinicDefaults } from './defaults.js';

/** A clinic's settings (ClinicSettings in schema/clinic.graphql). */

export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface OpeningHours {
  day: Weekday;
  opens: string;
  closes: string;
}

export type VisitState = (typeof CURRENT_VISIT_STATES)[number];

export interface WaitThreshold {
  state: VisitState;
  minutes: number;
}

/**
 * What a clinic starts with until its ADMIN says otherwise: long enough that a normal day is not
 * all red, short enough that a forgotten patient stands out.
 */
export const DEFAULT_WAIT_THRESHOLDS: WaitThreshold[] = [
  { state: 'WAITING', minutes: 30 },
  { state: 'TRIAGE', minutes: 20 },
  { state: 'READY_FOR_DOCTOR', minutes: 30 },
  { state: 'WITH_DOCTOR', minutes: 45 },
  { state: 'CHECKOUT', minutes: 15 },
];
export const MAX_WAIT_MINUTES = 720;

export interface SettingsView {
  clinicId: string;
  address: string | null;
  phone: string | null;
  openingHours: OpeningHours[];
  visitReasons: string[];
  waitThresholds: WaitThreshold[];
  defaultLocale: string;
  updatedAt: Date;
}

export const MAX_VISIT_REASONS = 50;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters.`)
    .transform((v) => (v === '' ? null : v));

/** Empty means "no phone"; otherwise digits, spaces and + ( ) - . / with at least 6 digits. */
const phoneSchema = z
  .string()
  .trim()
  .max(40, 'at most 40 characters.')
  .regex(/^$|^\+?[0-9][0-9 ()./-]*$/, 'use digits, spaces and + ( ) - . only, e.g. +34 912 345 678.')
  .refine((v) => v === '' || v.replace(/\D/g, '').length >= 6, 'give at least 6 digits, e.g. +34 912 345 678.')
  .transform((v) => (v === '' ? null : v));

const hhmm = z.string().trim().regex(HHMM, 'use 24-hour HH:MM, e.g. 08:30.');

const openingHoursSchema = z
  .array(
    z
      .object({ day: z.enum(WEEKDAYS), opens: hhmm, closes: hhmm })
      .refine((h) => h.opens < h.closes, { message: 'must be later than opens (a day closes after it opens, the same day).', path: ['closes'] }),
  )
  .max(WEEKDAYS.length, `at most ${WEEKDAYS.length} entries, one per day.`)
  .superRefine((hours, ctx) => {
    const seen = new Map<string, number>();
    hours.forEach((h, i) => {
      const first = seen.get(h.day);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'day'], message: `${h.day} is already given in openingHours[${first}]; one entry per day.` });
      else seen.set(h.day, i);
    });
  })
  // stored in week order, whatever order they were sent in
  .transform((hours) => [...hours].sort((a, b) => WEEKDAYS.indexOf(a.day) - WEEKDAYS.indexOf(b.day)));

const visitReasonsSchema = z
  .array(z.string().trim().min(1, 'must not be empty.').max(200, 'at most 200 characters.'))
  .max(MAX_VISIT_REASONS, `at most ${MAX_VISIT_REASONS} reasons.`)
  .superRefine((reasons, ctx) => {
    const seen = new Map<string, number>();
    reasons.forEach((r, i) => {
      const first = seen.get(r.toLowerCase());
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `"${r}" is already visitReasons[${first}]; each reason once.` });
      else seen.set(r.toLowerCase(), i);
    });
  });

const waitThresholdsSchema = z
  .array(
    z.object({
      state: z.enum(CURRENT_VISIT_STATES),
      minutes: z.number().int('whole minutes.').min(1, 'at least 1 minute.').max(MAX_WAIT_MINUTES, `at most ${MAX_WAIT_MINUTES} minutes (12 hours).`),
    }),
  )
  .superRefine((thresholds, ctx) => {
    const seen = new Map<string, number>();
    thresholds.forEach((t, i) => {
      const first = seen.get(t.state);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'state'], message: `${t.state} is already given in waitThresholds[${first}]; one per state.` });
      else seen.set(t.state, i);
    });
  })
  // stored in the visit's order, whatever order they were sent in
  .transform((list) => [...list].sort((a, b) => CURRENT_VISIT_STATES.indexOf(a.state) - CURRENT_VISIT_STATES.indexOf(b.state)));

const localeSchema = z.enum(SUPPORTED_LOCALES, { message: `one of ${SUPPORTED_LOCALES.join(', ')}.` });

/** Only the fields present change; null (or an empty string) clears address and phone; a list replaces the stored list. */
export const settingsInputSchema = z
  .object({
    address: optionalText(500).nullish(),
    phone: phoneSchema.nullish(),
    openingHours: openingHoursSchema.nullish(),
    visitReasons: visitReasonsSchema.nullish(),
    waitThresholds: waitThresholdsSchema.nullish(),
    defaultLocale: localeSchema.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'give at least one of address, phone, openingHours, visitReasons, waitThresholds, defaultLocale.',
  });
export type SettingsInput = z.infer<typeof settingsInputSchema>;

export function toView(row: ClinicSettingsRow): SettingsView {
  return {
    clinicId: row.clinicId,
    address: row.address,
    phone: row.phone,
    openingHours: Array.isArray(row.openingHours) ? (row.openingHours as unknown as OpeningHours[]) : [],
    visitReasons: Array.isArray(row.visitReasons) ? (row.visitReasons as string[]) : [],
    waitThresholds: Array.isArray(row.waitThresholds) ? (row.waitThresholds as unknown as WaitThreshold[]) : DEFAULT_WAIT_THRESHOLDS,
    defaultLocale: row.defaultLocale,
    updatedAt: row.updatedAt,
  };
}

/** Settings of these clinics (one query), null for a clinic whose row does not exist yet. */
export async function settingsByClinic(db: ClinicDb, clinicIds: readonly string[]): Promise<Array<SettingsView | null>> {
  const rows = await db.clinicSettings.findMany({ where: { clinicId: { in: [...clinicIds] } } });
  const byId = new Map(rows.map((r) => [r.clinicId, toView(r)]));
  return clinicIds.map((id) => byId.get(id) ?? null);
}

/**
 * Before the clinic's clinic.created event has been handled there is no row: the answer is empty
 * settings (no hours, no reasons), never another clinic's or an invented value.
 */
export function emptySettings(clinicId: string): SettingsView {
  return {
    clinicId,
    address: null,
    phone: null,
    openingHours: [],
    visitReasons: [],
    waitThresholds: DEFAULT_WAIT_THRESHOLDS,
    defaultLocale: DEFAULT_LOCALE,
    updatedAt: new Date(0),
  };
}

/**
 * updateClinicSettings. A clinic whose defaults have not arrived yet gets them first, in the same
 * transaction (the settings row means "defaults done": clinic.created then finds it and does nothing).
 */
export async function updateSettings(db: ClinicDb, clinicId: string, raw: unknown): Promise<SettingsView> {
  const input = parseInput(settingsInputSchema, raw, 'input');
  return db.$transaction(async (tx: ClinicTx) => {
    await ensureClinicDefaults(tx, clinicId, 'updateClinicSettings');
    const data: Record<string, unknown> = {};
    if (input.address !== undefined) data.address = input.address;
    if (input.phone !== undefined) data.phone = input.phone;
    if (input.openingHours !== undefined) data.openingHours = input.openingHours ?? [];
    if (input.visitReasons !== undefined) data.visitReasons = input.visitReasons ?? [];
    if (input.waitThresholds !== undefined) data.waitThresholds = input.waitThresholds ?? [];
    if (input.defaultLocale !== undefined) data.defaultLocale = input.defaultLocale;
    const row = await tx.clinicSettings.update({ where: { clinicId }, data });
    return toView(row);
  });
}
