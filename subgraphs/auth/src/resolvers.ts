import {
  DateTimeScalar,
  forbiddenError,
  JSONScalar,
  requireClinicId,
  requireStaff,
  userRef,
  type AuditTrail,
  type BaseContext,
  type DataLoader,
} from '@clinicult/kit';
import { isUserCaller, type UserCaller } from '@clinicult/rbac';
import type { AuthDeps } from './deps.js';
import * as clients from './domain/clients.js';
import * as invitations from './domain/invitations.js';
import * as internal from './domain/internal.js';
import { identities } from './domain/identity.js';
import * as mfa from './domain/second-factor.js';
import * as sessions from './domain/sessions.js';
import * as smartClients from './domain/smart-clients.js';
import type { KeyStore } from './keys.js';
import type { Resolvers } from './__generated__/resolvers.js';

export interface AuthContext extends BaseContext {
  /** The token this request minted, echoed in the response extensions for the gateway (see service.ts). */
  session: { issuedToken?: string };
  deps: AuthDeps & { keys: KeyStore };
  deliveries: DataLoader<string, invitations.Delivery | null>;
  /** the audit trail: a sign-in to a clinic is `session.started` in that clinic's trail (its cluster's audit service) */
  audit: AuditTrail;
}

/**
 * A session in a clinic began (login, a second factor, a clinic switch): recorded in the clinic's
 * audit trail with the person who holds the new token as the actor (the request itself came from
 * no one yet). Never awaited: a sign-in does not wait for the audit trail, which never loses it
 * (the bus falls back to auth's outbox).
 */
function recordClinicSignIn(p: sessions.AuthPayload, ctx: AuthContext): void {
  const holder = {
    kind: 'staff' as const,
    userId: p.userId,
    clinicId: p.clinicId!,
    roles: p.roles,
    permissions: p.permissions,
    token: p.token,
    jti: p.jti,
    issuedAt: p.issuedAt,
    expiresAt: p.expiresAt,
    mfa: p.amr.includes('mfa'),
  };
  void ctx.audit.record(
    { caller: holder, requestId: ctx.requestId, logger: ctx.logger },
    { action: 'session.started', targetUserId: p.userId, details: { roles: p.roles, amr: p.amr } },
  );
}

function userCaller(ctx: AuthContext): UserCaller {
  if (!isUserCaller(ctx.caller)) throw forbiddenError('This needs a signed-in user.');
  return ctx.caller;
}

/** A signed-in user, or the holder of an enrolment ticket. */
function enroller(ctx: AuthContext, ticket: string | null | undefined): mfa.Enroller {
  return ticket ? { ticket } : { caller: userCaller(ctx) };
}

const payload = (p: sessions.AuthPayload, ctx: AuthContext) => {
  ctx.session.issuedToken = p.token;
  if (p.clinicId) recordClinicSignIn(p, ctx);
  return {
    token: p.token,
    expiresAt: p.expiresAt,
    user: { id: p.userId },
    clinicId: p.clinicId,
    roles: p.roles,
    permissions: p.permissions,
    apiUrl: p.apiUrl,
  };
};

const enrolment = (result: mfa.EnrolmentResult, ctx: AuthContext) => ({
  recoveryCodes: result.recoveryCodes,
  session: result.session ? payload(result.session, ctx) : null,
});

export type InvitationRef = { id: string; acceptedAt?: string | null; declinedAt?: string | null; revokedAt?: string | null; expiresAt?: string };

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    authKeyIds: (_p, _a, ctx) => ctx.deps.keys.jwks().keys.map((k) => k.kid!),
    identities: (_p, args, ctx) => identities(ctx.deps.db, args.userIds),
    mySecondFactors: (_p, _a, ctx) => mfa.mySecondFactors(ctx.deps.db, userCaller(ctx).userId),
    displays: (_p, _a, ctx) => clients.listDisplays(ctx.deps, requireClinicId(ctx.caller)),
    apiClients: (_p, _a, ctx) => smartClients.listApiClients(ctx.deps, requireClinicId(ctx.caller)),
  },
  Mutation: {
    login: async (_p, args, ctx) =>
      payload(await sessions.login(ctx.deps, { ...args, ip: ctx.clientIp }), ctx),
    switchClinic: async (_p, args, ctx) =>
      payload(await sessions.switchClinic(ctx.deps, userCaller(ctx), args.clinicId), ctx),
    logout: (_p, _a, ctx) => sessions.logout(ctx.deps, userCaller(ctx)),
    changePassword: (_p, args, ctx) =>
      sessions.changePassword(ctx.deps, userCaller(ctx), { ...args, ip: ctx.clientIp }),
    acceptInvitation: async (_p, args, ctx) =>
      payload(await sessions.acceptInvitation(ctx.deps, args), ctx),
    requestPasswordReset: (_p, args, ctx) => sessions.requestPasswordReset(ctx.deps, { ...args, ip: ctx.clientIp }),
    resetPassword: async (_p, args, ctx) => payload(await sessions.resetPassword(ctx.deps, args), ctx),

    verifySecondFactor: async (_p, args, ctx) =>
      payload(await mfa.verifySecondFactor(ctx.deps, { ...args, ip: ctx.clientIp }), ctx),
    passkeyLoginOptions: (_p, args, ctx) => mfa.passkeyLoginOptions(ctx.deps, args.ticket),
    startTotpEnrolment: (_p, args, ctx) => mfa.startTotpEnrolment(ctx.deps, enroller(ctx, args.ticket)),
    confirmTotpEnrolment: async (_p, args, ctx) =>
      enrolment(await mfa.confirmTotpEnrolment(ctx.deps, enroller(ctx, args.ticket), args.code, ctx.clientIp), ctx),
    passkeyRegistrationOptions: (_p, args, ctx) =>
      mfa.passkeyRegistrationOptions(ctx.deps, enroller(ctx, args.ticket)),
    registerPasskey: async (_p, args, ctx) =>
      enrolment(await mfa.registerPasskey(ctx.deps, enroller(ctx, args.ticket), args), ctx),
    removeTotp: (_p, args, ctx) => mfa.removeTotp(ctx.deps, userCaller(ctx), args.password, ctx.clientIp),
    removePasskey: (_p, args, ctx) =>
      mfa.removePasskey(ctx.deps, userCaller(ctx), args.id, args.password, ctx.clientIp),
    regenerateRecoveryCodes: (_p, _a, ctx) => mfa.regenerateRecoveryCodes(ctx.deps, userCaller(ctx)),
    setClinicMfaRequired: async (_p, args, ctx) => {
      if (ctx.caller.kind !== 'staff') throw forbiddenError('Only a clinic ADMIN sets the clinic’s sign-in policy.');
      // from the next request every session without a second factor ends: the ADMIN's own first
      if (args.required && !ctx.caller.mfa) {
        throw forbiddenError('Set up your own second factor and sign in with it before requiring one of your colleagues.');
      }
      await internal.setClinicMfaRequired(ctx.deps, ctx.caller.clinicId, args.required);
      return { id: ctx.caller.clinicId };
    },

    clearSecondFactors: (_p, args, ctx) => internal.clearSecondFactors(ctx.deps, args.userId),

    // the clinic's trail says who let a device in and who switched it off
    registerDisplay: async (_p, args, ctx) => {
      const registered = await clients.registerDisplay(ctx.deps, requireStaff(ctx.caller), args.name);
      await ctx.audit.record(ctx, { action: 'display.registered', details: { displayId: registered.display.id, name: registered.display.name } });
      return registered;
    },
    revokeDisplay: async (_p, args, ctx) => {
      const revoked = await clients.revokeDisplay(ctx.deps, requireStaff(ctx.caller), args.id);
      await ctx.audit.record(ctx, { action: 'display.revoked', details: { displayId: revoked.id, name: revoked.name } });
      return revoked;
    },
    displaySignIn: (_p, args, ctx) => clients.displaySignIn(ctx.deps, args.key),
    registerApiClient: async (_p, args, ctx) => {
      const client = await smartClients.registerApiClient(ctx.deps, requireStaff(ctx.caller), args.input);
      await ctx.audit.record(ctx, { action: 'apiclient.registered', details: { clientId: client.id, name: client.name, scopes: client.scopes } });
      return client;
    },
    revokeApiClient: async (_p, args, ctx) => {
      const client = await smartClients.revokeApiClient(ctx.deps, requireStaff(ctx.caller), args.id);
      await ctx.audit.record(ctx, { action: 'apiclient.revoked', details: { clientId: client.id, name: client.name } });
      return client;
    },
  },
  Display: {
    createdBy: (display) => userRef(display.createdBy),
  },
  ApiClient: {
    createdBy: (client) => userRef(client.createdBy),
  },
  Clinic: {
    __resolveReference: (ref) => ({ id: ref.id }),
    // the clinic's own staff and operators; anyone else sees null
    mfaRequired: async (clinic, _a, ctx) => {
      const { caller } = ctx;
      if (!(caller.kind === 'operator' || (caller.kind === 'staff' && caller.clinicId === clinic.id))) return null;
      const status = await ctx.deps.db.clinicStatus.findUnique({ where: { clinicId: clinic.id }, select: { mfaRequired: true } });
      return status?.mfaRequired ?? false;
    },
  },
  Invitation: {
    __resolveReference: (ref) => ref,
    delivery: (invitation, _a, ctx) => ctx.deliveries.load(invitation.id),
    status: async (invitation, _a, ctx) =>
      invitations.invitationStatus(invitation, await ctx.deliveries.load(invitation.id)),
  },
};
