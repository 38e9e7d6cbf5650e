import { z } from 'zod';
import { CLINIC_ROLES } from '@clinicult/rbac';
import { CLUSTER_NAME } from './cluster.js';

/**
 * Identity changes (DESIGN.md, "Every service checks every request"): users (memberships, roles,
 * account status, invitations) and admin (clinic access) write each change to their outbox in the transaction
 * that makes it; the bus carries it on one stream to auth (its copy of logins and roles) and to
 * the kit's facts consumer (the revocation facts every service reads). Producer and consumer both
 * import these schemas, so a payload cannot drift from what its readers expect.
 *
 * Every payload carries `at`, the instant of the change in the producer's database: consumers
 * apply a change only when it is newer than what they hold (replays and reordering change nothing),
 * and tokens issued before it are refused when `endsSessions` says so.
 */
export const IDENTITY_STREAM = 'events:identity';

const instant = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(36);

export const IDENTITY_EVENTS = {
  /** A person's roles in one clinic; no roles: the membership ended. */
  membershipChanged: 'membership.changed',
  /** A login deactivated or reactivated (ends every session either way). */
  userAccessChanged: 'user.access.changed',
  /** A clinic suspended or reactivated by an operator. */
  clinicAccessChanged: 'clinic.access.changed',
  /** Where a clinic lives: its cluster (region), fixed when the clinic is created; auth names it in the clinic's tokens. */
  clinicPlaced: 'clinic.placed',
  /** An invitation (re)sent: auth creates the login when the person has none, and mails them. */
  invitationSent: 'invitation.sent',
  /** An invitation withdrawn or declined: its link stops working. */
  invitationClosed: 'invitation.closed',
} as const;

export const membershipChangedSchema = z.object({
  userId: id,
  clinicId: id,
  roles: z.array(z.enum(CLINIC_ROLES)),
  /** false for a new membership (no existing token changes), true when roles changed or the membership ended */
  endsSessions: z.boolean(),
  /** the invitation this membership came from: its link stops working */
  invitationId: id.nullable(),
  at: instant,
});

export const userAccessChangedSchema = z.object({
  userId: id,
  active: z.boolean(),
  at: instant,
});

export const clinicAccessChangedSchema = z.object({
  clinicId: id,
  access: z.enum(['ACTIVE', 'SUSPENDED']),
  at: instant,
});

export const clinicPlacedSchema = z.object({
  clinicId: id,
  cluster: z.string().regex(CLUSTER_NAME),
  at: instant,
});

export const invitationSentSchema = z.object({
  invitationId: id,
  userId: id,
  /** the sign-in name of a login auth creates for a person new to Clinicult (an existing login keeps its own) */
  email: z.email().max(254),
  clinicId: id,
  clinicName: z.string().min(1).max(200),
  roles: z.array(z.enum(CLINIC_ROLES)).min(1),
  inviterName: z.string().min(1).max(201),
  expiresAt: instant,
  /** when it was (re)sent: a mail is sent once per sending, however often the event arrives */
  at: instant,
});

export const invitationClosedSchema = z.object({
  invitationId: id,
  userId: id,
  clinicId: id,
  at: instant,
});

export type MembershipChanged = z.infer<typeof membershipChangedSchema>;
export type UserAccessChanged = z.infer<typeof userAccessChangedSchema>;
export type ClinicAccessChanged = z.infer<typeof clinicAccessChangedSchema>;
export type ClinicPlaced = z.infer<typeof clinicPlacedSchema>;
export type InvitationSent = z.infer<typeof invitationSentSchema>;
export type InvitationClosed = z.infer<typeof invitationClosedSchema>;

/** Each identity event type's payload. */
export interface IdentityPayloads {
  [IDENTITY_EVENTS.membershipChanged]: MembershipChanged;
  [IDENTITY_EVENTS.userAccessChanged]: UserAccessChanged;
  [IDENTITY_EVENTS.clinicAccessChanged]: ClinicAccessChanged;
  [IDENTITY_EVENTS.clinicPlaced]: ClinicPlaced;
  [IDENTITY_EVENTS.invitationSent]: InvitationSent;
  [IDENTITY_EVENTS.invitationClosed]: InvitationClosed;
}
export type IdentityEventType = keyof IdentityPayloads;

export type IdentityEvent =
  | { type: typeof IDENTITY_EVENTS.membershipChanged; payload: MembershipChanged }
  | { type: typeof IDENTITY_EVENTS.userAccessChanged; payload: UserAccessChanged }
  | { type: typeof IDENTITY_EVENTS.clinicAccessChanged; payload: ClinicAccessChanged }
  | { type: typeof IDENTITY_EVENTS.clinicPlaced; payload: ClinicPlaced }
  | { type: typeof IDENTITY_EVENTS.invitationSent; payload: InvitationSent }
  | { type: typeof IDENTITY_EVENTS.invitationClosed; payload: InvitationClosed };

const SCHEMAS = {
  [IDENTITY_EVENTS.membershipChanged]: membershipChangedSchema,
  [IDENTITY_EVENTS.userAccessChanged]: userAccessChangedSchema,
  [IDENTITY_EVENTS.clinicAccessChanged]: clinicAccessChangedSchema,
  [IDENTITY_EVENTS.clinicPlaced]: clinicPlacedSchema,
  [IDENTITY_EVENTS.invitationSent]: invitationSentSchema,
  [IDENTITY_EVENTS.invitationClosed]: invitationClosedSchema,
} as const;

/** The event as its type says it must look; throws (the bus parks it) on anything else. null: not an identity event. */
export function parseIdentityEvent(envelope: { type: string; payload: unknown }): IdentityEvent | null {
  const schema = (SCHEMAS as Record<string, z.ZodType>)[envelope.type];
  if (!schema) return null;
  return { type: envelope.type, payload: schema.parse(envelope.payload) } as IdentityEvent;
}

/** Producer side: the event to enqueue, checked against its schema before it is written. */
export function identityEvent<T extends IdentityEventType>(
  type: T,
  payload: IdentityPayloads[T],
): { type: T; payload: IdentityPayloads[T]; clinicId: string | null } {
  const parsed = SCHEMAS[type].parse(payload) as IdentityPayloads[T];
  return { type, payload: parsed, clinicId: 'clinicId' in parsed ? parsed.clinicId : null };
}
