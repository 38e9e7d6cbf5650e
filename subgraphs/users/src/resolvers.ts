import {
  badInput,
  DateTimeScalar,
  forbiddenError,
  invalidField,
  requireClinicId,
  requireNamedClinic,
  type BaseContext,
} from '@clinicult/kit';
import { hasPermission, isUserCaller, type UserCaller } from '@clinicult/rbac';
import type { Loaders } from './loaders.js';
import type { Resolvers } from './__generated__/resolvers.js';
import type { UsersDeps } from './domain/auth-sync.js';
import { clinicStaffCount } from './domain/counts.js';
import {
  acceptClinicInvitation,
  createUser,
  declineClinicInvitation,
  listInvitations,
  openInvitationsOf,
  provisionAdminUser,
  resendInvitation,
  revokeInvitation,
  visibleInvitation,
} from './domain/invitations.js';
import { deactivateUser, reactivateUser, removeMembership, resetSecondFactors, setMembership } from './domain/memberships.js';
import { upsertOperatorProfile } from './domain/operators.js';
import { getMe, listUsers, loadVisibleUsers, rolesFromJson, updateUser, USER_WRITE, type Actor, type Scope } from './domain/users.js';

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

/** An ADMIN (their clinic) or an operator (first-ADMIN invitations) managing invitations. */
function invitationManager(ctx: UsersContext): { actor: Actor; caller: { kind: 'staff'; clinicId: string } | { kind: 'operator' } } {
  const { caller } = ctx;
  if (caller.kind === 'operator') {
    return {
      actor: { clinicId: '', userId: caller.userId, audit: { kind: 'operator', id: caller.userId }, permissions: caller.permissions, requestId: ctx.requestId },
      caller: { kind: 'operator' },
    };
  }
  const actor = staffActor(ctx);
  return { actor, caller: { kind: 'staff', clinicId: actor.clinicId } };
}

function signedIn(ctx: UsersContext): UserCaller {
  if (!isUserCaller(ctx.caller)) throw forbiddenError('Sign in as the invited person first.');
  return ctx.caller;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_, __, ctx) => (isUserCaller(ctx.caller) ? getMe(ctx.deps.db, ctx.caller.userId) : null),
    user: (_, { id }, ctx) => ctx.loaders.users.load(id),
    users: (_, args, ctx) =>
      listUsers(ctx.deps.db, requireClinicId(ctx.caller), args),
    invitations: (_, args, ctx) => {
      const { caller } = ctx;
      if (caller.kind === 'operator') {
        if (!args.clinicId) throw invalidField('clinicId', 'Operators name the clinic whose first-ADMIN invitations they want.');
        return listInvitations(ctx.deps.db, { kind: 'operator', clinicId: args.clinicId }, args);
      }
      const clinicId = requireClinicId(caller);
      if (args.clinicId && args.clinicId !== clinicId) return [];
      return listInvitations(ctx.deps.db, { kind: 'staff', clinicId }, args);
    },
    // internal (clinic-counts): the clinic named by the call, a number only
    clinicStaffCount: (_, __, ctx) => clinicStaffCount(ctx.deps.db, requireNamedClinic(ctx.caller)),
    // internal (staff-names): names of the named clinic's people only, one query however many ids
    staffNames: async (_, { userIds }, ctx) => {
      const clinicId = requireNamedClinic(ctx.caller);
      if (userIds.length > 500) throw badInput('userIds: at most 500 at once.', ['userIds']);
      const rows = await loadVisibleUsers(ctx.deps.db, { userId: null, clinicId }, [...new Set(userIds)]);
      return rows.filter((r) => r !== null).map((r) => ({ id: r.id, displayName: `${r.firstName} ${r.lastName}` }));
    },
  },
  Mutation: {
    createUser: async (_, { input }, ctx) => ({
      invitation: await createUser(ctx.deps, staffActor(ctx), input),
    }),
    resendInvitation: (_, { id }, ctx) => {
      const { actor, caller } = invitationManager(ctx);
      return resendInvitation(ctx.deps, actor, caller, id);
    },
    revokeInvitation: (_, { id }, ctx) => {
      const { actor, caller } = invitationManager(ctx);
      return revokeInvitation(ctx.deps, actor, caller, id);
    },
    acceptClinicInvitation: async (_, { id }, ctx) => {
      const membership = await acceptClinicInvitation(ctx.deps, signedIn(ctx), id, ctx.requestId);
      return { clinic: { __typename: 'Clinic' as const, id: membership.clinicId }, roles: membership.roles };
    },
    declineClinicInvitation: (_, { id }, ctx) =>
      declineClinicInvitation(ctx.deps, signedIn(ctx), id, ctx.requestId),
    updateUser: (_, { id, input }, ctx) =>
      updateUser(ctx.deps.db, ctx.deps.logger, staffActor(ctx), id, input),
    setMembership: (_, { userId, roles }, ctx) =>
      setMembership(ctx.deps, staffActor(ctx), userId, roles),
    removeMembership: (_, { userId }, ctx) =>
      removeMembership(ctx.deps, staffActor(ctx), userId),
    deactivateUser: (_, { id }, ctx) => deactivateUser(ctx.deps, staffActor(ctx), id),
    reactivateUser: (_, { id }, ctx) => reactivateUser(ctx.deps, staffActor(ctx), id),
    resetSecondFactors: (_, { id }, ctx) => resetSecondFactors(ctx.deps, staffActor(ctx), id),
    provisionAdminUser: (_, args, ctx) => {
      const { invitedBy, ...input } = args;
      return provisionAdminUser(ctx.deps, serviceActor(ctx, args.clinicId), input, invitedBy);
    },
    upsertOperatorProfile: (_, args, ctx) =>
      upsertOperatorProfile(ctx.deps.db, args),
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.loaders.users.load(ref.id),
    displayName: (user) => `${user.firstName} ${user.lastName}`,
    memberships: async (user, _, ctx) => {
      const list = await ctx.loaders.memberships.load(user.id);
      return list.map((m) => ({ clinic: { __typename: 'Clinic' as const, id: m.clinicId }, roles: m.roles }));
    },
    invitations: (user, _, ctx) =>
      ctx.scope.userId === user.id ? openInvitationsOf(ctx.deps.db, user.id) : [],
  },
  Invitation: {
    __resolveReference: async (ref, ctx) => {
      const { caller } = ctx;
      const row = await ctx.deps.db.invitation.findUnique({ where: { id: ref.id } });
      return visibleInvitation(row, {
        userId: isUserCaller(caller) ? caller.userId : null,
        // the clinic's staff who manage users (services never need to read invitations)
        clinicId: caller.kind === 'staff' && hasPermission(caller.permissions, USER_WRITE) ? caller.clinicId : null,
        operator: caller.kind === 'operator',
      });
    },
    roles: (invitation) => rolesFromJson(invitation.roles),
    clinic: (invitation) => ({ __typename: 'Clinic' as const, id: invitation.clinicId }),
    invitedAt: (invitation) => invitation.createdAt,
  },
};
