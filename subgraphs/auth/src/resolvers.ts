import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { badInput, DateTimeScalar, type BaseContext } from '@clinicult/kit';
import { isUserCaller, type UserCaller } from '@clinicult/rbac';
import type { AuthConfig } from './config.js';
import type { AuthDb } from './db.js';
import * as internal from './domain/internal.js';
import * as sessions from './domain/sessions.js';
import type { FactsWriter } from './facts-writer.js';
import type { KeyStore } from './keys.js';

export interface AuthContext extends BaseContext {
  /** The token this request minted, echoed in the response extensions for the gateway (see service.ts). */
  session: { issuedToken?: string };
  deps: sessions.SessionDeps & { keys: KeyStore; config: AuthConfig; facts: FactsWriter; db: AuthDb };
}

function userCaller(ctx: AuthContext): UserCaller {
  if (!isUserCaller(ctx.caller)) throw badInput('This needs a signed-in user.');
  return ctx.caller;
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

export const resolvers: GraphQLResolverMap<AuthContext> = {
  DateTime: DateTimeScalar,
  Query: {
    authKeyIds: (_p, _a, ctx) => ctx.deps.keys.jwks().keys.map((k) => k.kid!),
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

    upsertCredential: (_p, args: { userId: string; email: string; operator?: boolean | null }, ctx) =>
      internal.upsertCredential(ctx.deps, args),
    createInvitation: (_p, args: { userId: string; clinicId?: string | null; ttlHours?: number | null }, ctx) =>
      sessions.createInvitation(ctx.deps.db, {
        userId: args.userId,
        clinicId: args.clinicId ?? null,
        ttlHours: Math.min(Math.max(args.ttlHours ?? ctx.deps.config.INVITATION_TTL_HOURS, 1), 24 * 14),
      }),
    syncMembership: (_p, args: { userId: string; clinicId: string; roles: string[] }, ctx) =>
      internal.syncMembership(ctx.deps, args),
    setCredentialStatus: (_p, args: { userId: string; active: boolean }, ctx) => internal.setCredentialStatus(ctx.deps, args),
    setClinicAccess: (_p, args: { clinicId: string; access: 'ACTIVE' | 'SUSPENDED' }, ctx) =>
      internal.setClinicAccess(ctx.deps, args),
  },
};
