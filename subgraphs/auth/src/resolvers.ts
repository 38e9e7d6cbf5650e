import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, forbiddenError, JSONScalar, type BaseContext, type DataLoader } from '@clinicult/kit';
import { isUserCaller, type UserCaller } from '@clinicult/rbac';
import type { AuthDeps } from './deps.js';
import * as invitations from './domain/invitations.js';
import * as internal from './domain/internal.js';
import { identities } from './domain/identity.js';
import * as mfa from './domain/second-factor.js';
import * as sessions from './domain/sessions.js';
import type { KeyStore } from './keys.js';

export interface AuthContext extends BaseContext {
  /** The token this request minted, echoed in the response extensions for the gateway (see service.ts). */
  session: { issuedToken?: string };
  deps: AuthDeps & { keys: KeyStore };
  deliveries: DataLoader<string, invitations.Delivery | null>;
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
  return {
    token: p.token,
    expiresAt: p.expiresAt,
    user: { id: p.userId },
    clinicId: p.clinicId,
    roles: p.roles,
    permissions: p.permissions,
  };
};

const enrolment = (result: mfa.EnrolmentResult, ctx: AuthContext) => ({
  recoveryCodes: result.recoveryCodes,
  session: result.session ? payload(result.session, ctx) : null,
});

type InvitationRef = { id: string; acceptedAt?: string | null; declinedAt?: string | null; revokedAt?: string | null; expiresAt?: string };

export const resolvers: GraphQLResolverMap<AuthContext> = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query: {
    authKeyIds: (_p, _a, ctx) => ctx.deps.keys.jwks().keys.map((k) => k.kid!),
    identities: (_p, args: { userIds: string[] }, ctx) => identities(ctx.deps.db, args.userIds),
    mySecondFactors: (_p, _a, ctx) => mfa.mySecondFactors(ctx.deps.db, userCaller(ctx).userId),
  },
  Mutation: {
    login: async (_p, args: { email: string; password: string; clinicId?: string | null }, ctx) =>
      payload(await sessions.login(ctx.deps, { ...args, ip: ctx.clientIp }), ctx),
    switchClinic: async (_p, args: { clinicId: string }, ctx) =>
      payload(await sessions.switchClinic(ctx.deps, userCaller(ctx), args.clinicId), ctx),
    logout: (_p, _a, ctx) => sessions.logout(ctx.deps, userCaller(ctx)),
    changePassword: (_p, args: { currentPassword: string; newPassword: string }, ctx) =>
      sessions.changePassword(ctx.deps, userCaller(ctx), { ...args, ip: ctx.clientIp }),
    acceptInvitation: async (_p, args: { token: string; password: string }, ctx) =>
      payload(await sessions.acceptInvitation(ctx.deps, args), ctx),
    requestPasswordReset: (_p, args: { email: string }, ctx) => sessions.requestPasswordReset(ctx.deps, { ...args, ip: ctx.clientIp }),
    resetPassword: async (_p, args: { token: string; password: string }, ctx) => payload(await sessions.resetPassword(ctx.deps, args), ctx),

    verifySecondFactor: async (_p, args: { ticket: string; code?: string | null; recoveryCode?: string | null; passkey?: unknown }, ctx) =>
      payload(await mfa.verifySecondFactor(ctx.deps, { ...args, ip: ctx.clientIp }), ctx),
    passkeyLoginOptions: (_p, args: { ticket: string }, ctx) => mfa.passkeyLoginOptions(ctx.deps, args.ticket),
    startTotpEnrolment: (_p, args: { ticket?: string | null }, ctx) => mfa.startTotpEnrolment(ctx.deps, enroller(ctx, args.ticket)),
    confirmTotpEnrolment: async (_p, args: { code: string; ticket?: string | null }, ctx) =>
      enrolment(await mfa.confirmTotpEnrolment(ctx.deps, enroller(ctx, args.ticket), args.code, ctx.clientIp), ctx),
    passkeyRegistrationOptions: (_p, args: { ticket?: string | null }, ctx) =>
      mfa.passkeyRegistrationOptions(ctx.deps, enroller(ctx, args.ticket)),
    registerPasskey: async (_p, args: { response: unknown; name?: string | null; ticket?: string | null }, ctx) =>
      enrolment(await mfa.registerPasskey(ctx.deps, enroller(ctx, args.ticket), args), ctx),
    removeTotp: (_p, args: { password: string }, ctx) => mfa.removeTotp(ctx.deps, userCaller(ctx), args.password, ctx.clientIp),
    removePasskey: (_p, args: { id: string; password: string }, ctx) =>
      mfa.removePasskey(ctx.deps, userCaller(ctx), args.id, args.password, ctx.clientIp),
    regenerateRecoveryCodes: (_p, _a, ctx) => mfa.regenerateRecoveryCodes(ctx.deps, userCaller(ctx)),
    setClinicMfaRequired: async (_p, args: { required: boolean }, ctx) => {
      if (ctx.caller.kind !== 'staff') throw forbiddenError('Only a clinic ADMIN sets the clinic’s sign-in policy.');
      // from the next request every session without a second factor ends: the ADMIN's own first
      if (args.required && !ctx.caller.mfa) {
        throw forbiddenError('Set up your own second factor and sign in with it before requiring one of your colleagues.');
      }
      await internal.setClinicMfaRequired(ctx.deps, ctx.caller.clinicId, args.required);
      return { id: ctx.caller.clinicId };
    },

    upsertCredential: (_p, args: { userId: string; email: string }, ctx) => internal.upsertCredential(ctx.deps, args),
    sendInvitation: (_p, args: Omit<invitations.SendInvitationInput, 'expiresAt'> & { expiresAt: Date }, ctx) =>
      invitations.sendInvitation(ctx.deps, args),
    revokeInvitationLinks: (_p, args: { invitationId: string }, ctx) => invitations.revokeInvitationLinks(ctx.deps.db, args.invitationId),
    clearSecondFactors: (_p, args: { userId: string }, ctx) => internal.clearSecondFactors(ctx.deps, args.userId),
  },
  Clinic: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    // the clinic's own staff and operators; anyone else sees null
    mfaRequired: async (clinic: { id: string }, _a, ctx) => {
      const { caller } = ctx;
      if (!(caller.kind === 'operator' || (caller.kind === 'staff' && caller.clinicId === clinic.id))) return null;
      const status = await ctx.deps.db.clinicStatus.findUnique({ where: { clinicId: clinic.id }, select: { mfaRequired: true } });
      return status?.mfaRequired ?? false;
    },
  },
  Invitation: {
    __resolveReference: (ref: InvitationRef) => ref,
    delivery: (invitation: InvitationRef, _a, ctx) => ctx.deliveries.load(invitation.id),
    status: async (invitation: InvitationRef, _a, ctx) =>
      invitations.invitationStatus(invitation, await ctx.deliveries.load(invitation.id)),
  },
};
