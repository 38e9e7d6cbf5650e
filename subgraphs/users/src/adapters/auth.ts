import { ServiceCaller, ServiceTokenSource, type BaseConfig, type CallerTokens, type Logger } from '@clinicult/kit';
import type { AuthClient } from '../domain/ports.js';
import { ClearSecondFactorsDocument, IdentitiesDocument } from '../__generated__/auth-operations.js';

/**
 * users' calls to auth's internal API with users' service token (the kit's ServiceCaller: auth's
 * input errors pass through, any other failure is SERVICE_UNAVAILABLE or UPSTREAM_ERROR naming
 * auth, and nothing was changed here, see domain/memberships.ts).
 */
export function createAuthClient(config: BaseConfig, logger: Logger, tokens?: CallerTokens): AuthClient {
  const caller = new ServiceCaller({ service: 'users', tokens: tokens ?? ServiceTokenSource.forService('users', config), logger });
  const auth = { name: 'auth', url: config.AUTH_URL };
  return {
    async identities(userIds, ctx) {
      const data = await caller.call(auth, "read auth's copy of the users", IdentitiesDocument, { userIds: [...userIds] }, ctx);
      return data.identities;
    },
    async clearSecondFactors(userId, ctx) {
      await caller.call(auth, 'remove the second factors', ClearSecondFactorsDocument, { userId }, ctx);
    },
  };
}
