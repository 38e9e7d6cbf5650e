import { GraphQLError } from 'graphql';
import { callGraphQL, ServiceTokenSource, type BaseConfig, type Logger, type TypedDocumentNode } from '@clinicult/kit';
import type { AuthCallContext, AuthClient } from '../domain/ports.js';
import { ClearSecondFactorsDocument, IdentitiesDocument } from '../__generated__/auth-operations.js';

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

  async function call<TResult, TVariables extends Record<string, unknown>>(
    action: string,
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    ctx: AuthCallContext,
  ): Promise<TResult> {
    try {
      const token = await source.token();
      return await callGraphQL(url, document, variables, {
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
      const data = await call("read auth's copy of the users", IdentitiesDocument, { userIds: [...userIds] }, ctx);
      return data.identities;
    },
    async clearSecondFactors(userId, ctx) {
      await call('remove the second factors', ClearSecondFactorsDocument, { userId }, ctx);
    },
  };
}
