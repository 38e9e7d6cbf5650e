import { GraphQLError } from 'graphql';
import { callGraphQL, ServiceTokenSource, type BaseConfig, type Logger } from '@clinicult/kit';
import type { ClinicRole } from '@clinicult/rbac';

/**
 * users is the only service that changes logins and roles in auth (DESIGN.md). Roles, memberships
 * and account status travel as identity events (domain/identity-events.ts); these are the calls
 * that remain: auth's internal mutations for logins, invitation mail and second factors
 * (schema/auth.graphql, `@inaccessible`), with users' service token, naming the clinic each acts for.
 */
export interface AuthCallContext {
  clinicId: string | null;
  requestId?: string;
}

/** What the invitation mail says; auth adds the link (or not) from the login it holds. */
export interface InvitationMail {
  invitationId: string;
  userId: string;
  clinicId: string;
  clinicName: string;
  roles: readonly ClinicRole[];
  inviterName: string;
  expiresAt: Date;
}

/** auth's copy of one user (its internal `identities` query), compared by the reconcile command. */
export interface AuthIdentity {
  userId: string;
  active: boolean;
  memberships: Array<{ clinicId: string; roles: string[] }>;
}

export interface AuthClient {
  /** auth's copy of these users (at most 500); users auth has no login for are left out. */
  identities(userIds: readonly string[], ctx: AuthCallContext): Promise<AuthIdentity[]>;
  /** Creates (or updates) the login for a user; the email is the sign-in name. */
  upsertCredential(userId: string, email: string, ctx: AuthCallContext): Promise<void>;
  /** Sends (or resends) an invitation's mail; auth answers nothing else (DESIGN.md: links only by email). */
  sendInvitation(mail: InvitationMail, ctx: AuthCallContext): Promise<void>;
  /** The invitation was answered or withdrawn: its link stops working. */
  revokeInvitationLinks(invitationId: string, ctx: AuthCallContext): Promise<void>;
  /** Removes every second factor (a lost device); every session ends. */
  clearSecondFactors(userId: string, ctx: AuthCallContext): Promise<void>;
}

/** auth could not be reached or refused a call: nothing was changed here (see domain/memberships.ts). */
export function authUnavailable(action: string, cause: unknown): GraphQLError {
  return new GraphQLError(
    `The sign-in service (auth) could not ${action}; nothing was changed. Try again in a moment.`,
    { extensions: { code: 'SERVICE_UNAVAILABLE', service: 'auth' }, originalError: cause instanceof Error ? cause : undefined },
  );
}

/** Error codes auth answers that describe the caller's input; they pass through as they are. */
const PASS_THROUGH = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND']);

export function createAuthClient(config: BaseConfig, logger: Logger, tokens?: ServiceTokenSource): AuthClient {
  const source = tokens ?? ServiceTokenSource.forService('users', config);
  const url = new URL('/graphql', config.AUTH_URL).toString();

  async function call<T>(action: string, query: string, variables: Record<string, unknown>, ctx: AuthCallContext): Promise<T> {
    try {
      const token = await source.token();
      return await callGraphQL<T>(url, query, variables, {
        token,
        clinicId: ctx.clinicId,
        ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
      });
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
      if (typeof code === 'string' && PASS_THROUGH.has(code)) throw error;
      logger.error({ err: error, action, reqId: ctx.requestId }, 'call to auth failed');
      throw authUnavailable(action, error);
    }
  }

  return {
    async identities(userIds, ctx) {
      const data = await call<{ identities: AuthIdentity[] }>(
        "read auth's copy of the users",
        'query ($ids: [ID!]!) { identities(userIds: $ids) { userId active memberships { clinicId roles } } }',
        { ids: userIds },
        ctx,
      );
      return data.identities;
    },
    async upsertCredential(userId, email, ctx) {
      await call(
        'create the login',
        'mutation ($userId: ID!, $email: String!) { upsertCredential(userId: $userId, email: $email) }',
        { userId, email },
        ctx,
      );
    },
    async sendInvitation(mail, ctx) {
      await call(
        'send the invitation',
        `mutation ($i: ID!, $u: ID!, $c: ID!, $n: String!, $r: [String!]!, $by: String!, $e: DateTime!) {
          sendInvitation(invitationId: $i, userId: $u, clinicId: $c, clinicName: $n, roles: $r, inviterName: $by, expiresAt: $e)
        }`,
        {
          i: mail.invitationId,
          u: mail.userId,
          c: mail.clinicId,
          n: mail.clinicName,
          r: mail.roles,
          by: mail.inviterName,
          e: mail.expiresAt.toISOString(),
        },
        ctx,
      );
    },
    async revokeInvitationLinks(invitationId, ctx) {
      await call('withdraw the invitation link', 'mutation ($i: ID!) { revokeInvitationLinks(invitationId: $i) }', { i: invitationId }, ctx);
    },
    async clearSecondFactors(userId, ctx) {
      await call('remove the second factors', 'mutation ($userId: ID!) { clearSecondFactors(userId: $userId) }', { userId }, ctx);
    },
  };
}
