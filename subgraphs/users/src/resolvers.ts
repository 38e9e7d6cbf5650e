import { DateTimeScalar, forbiddenError, requireClinicId, requireNamedClinic, type BaseContext, type SubgraphOptions } from '@clinicult/kit';
import { isUserCaller } from '@clinicult/rbac';
import { createLoaders, type Loaders } from './loaders.js';
import {
  createUser,
  deactivateUser,
  provisionAdminUser,
  reactivateUser,
  removeMembership,
  setMembership,
  type InvitationResult,
  type UsersDeps,
} from './domain/memberships.js';
import { clinicStaffCount } from './domain/counts.js';
import { getMe, listUsers, updateUser, type Actor, type Scope, type UserRow } from './domain/users.js';

export interface UsersContext extends BaseContext {
  deps: UsersDeps;
  scope: Scope;
  loaders: Loaders;
}

/** The staff member behind a mutation (the shield has let only staff with the permission through). */
function staffActor(ctx: UsersContext): Actor {
  const { caller } = ctx;
  if (caller.kind !== 'staff') throw forbiddenError('Only clinic staff may do this.');
  return {
    clinicId: caller.clinicId,
    userId: caller.userId,
    audit: { kind: 'staff', id: caller.userId },
    permissions: caller.permissions,
    requestId: ctx.requestId,
  };
}

/** A service acting for one clinic: the one it names in the call (header), or else the argument. */
function serviceActor(ctx: UsersContext, clinicId: string): Actor {
  const { caller } = ctx;
  if (caller.kind !== 'service') throw forbiddenError('This is an internal operation for services.');
  return {
    clinicId: caller.clinicId ?? clinicId,
    userId: null,
    audit: { kind: 'service', id: `service:${caller.service}` },
    permissions: caller.permissions,
    requestId: ctx.requestId,
  };
}

type Args<T = Record<string, unknown>> = T;

export const resolvers: SubgraphOptions<UsersContext>['resolvers'] = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_: unknown, __: Args, ctx: UsersContext) => (isUserCaller(ctx.caller) ? getMe(ctx.deps.db, ctx.caller.userId) : null),
    user: (_: unknown, { id }: Args<{ id: string }>, ctx: UsersContext) => ctx.loaders.users.load(id),
    users: (_: unknown, args: Args<{ search?: string | null; first?: number | null; after?: string | null }>, ctx: UsersContext) =>
      listUsers(ctx.deps.db, requireClinicId(ctx.caller), args),
    // internal (clinic-counts): the clinic named by the call, a number only
    clinicStaffCount: (_: unknown, __: Args, ctx: UsersContext) => clinicStaffCount(ctx.deps.db, requireNamedClinic(ctx.caller)),
  },
  Mutation: {
    createUser: (_: unknown, { input }: Args<{ input: unknown }>, ctx: UsersContext) =>
      createUser(ctx.deps, staffActor(ctx), input),
    updateUser: (_: unknown, { id, input }: Args<{ id: string; input: unknown }>, ctx: UsersContext) =>
      updateUser(ctx.deps.db, ctx.deps.logger, staffActor(ctx), id, input),
    setMembership: (_: unknown, { userId, roles }: Args<{ userId: string; roles: unknown }>, ctx: UsersContext) =>
      setMembership(ctx.deps, staffActor(ctx), userId, roles),
    removeMembership: (_: unknown, { userId }: Args<{ userId: string }>, ctx: UsersContext) =>
      removeMembership(ctx.deps, staffActor(ctx), userId),
    deactivateUser: (_: unknown, { id }: Args<{ id: string }>, ctx: UsersContext) => deactivateUser(ctx.deps, staffActor(ctx), id),
    reactivateUser: (_: unknown, { id }: Args<{ id: string }>, ctx: UsersContext) => reactivateUser(ctx.deps, staffActor(ctx), id),
    provisionAdminUser: async (
      _: unknown,
      args: Args<{ clinicId: string; email: string; firstName: string; lastName: string }>,
      ctx: UsersContext,
    ): Promise<InvitationResult> => {
      const actor = serviceActor(ctx, args.clinicId);
      const invitation = await provisionAdminUser(ctx.deps, actor, args);
      // The returned user's memberships are read as this clinic sees them.
      ctx.scope = { userId: null, clinicId: actor.clinicId };
      ctx.loaders = createLoaders(ctx.deps.db, ctx.scope);
      return invitation;
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: UsersContext) => ctx.loaders.users.load(ref.id),
    displayName: (user: UserRow) => `${user.firstName} ${user.lastName}`,
    memberships: async (user: UserRow, _: Args, ctx: UsersContext) => {
      const list = await ctx.loaders.memberships.load(user.id);
      return list.map((m) => ({ clinic: { __typename: 'Clinic', id: m.clinicId }, roles: m.roles }));
    },
  },
};
