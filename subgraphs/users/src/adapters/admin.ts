import { callGraphQL, type Logger, type ServiceTokenSource } from '@clinicult/kit';
import { GraphQLError } from 'graphql';
import type { ClinicDirectory } from '../domain/ports.js';
import { ClinicInfoDocument } from '../__generated__/admin-operations.js';

/** Asks admin's internal `clinicInfo` (schema/admin.graphql) with users' service token. */
export function createClinicDirectory(adminUrl: string, tokens: ServiceTokenSource, logger: Logger): ClinicDirectory {
  const url = new URL('/graphql', adminUrl).toString();
  return {
    async info(clinicId, ctx) {
      try {
        const data = await callGraphQL(
          url,
          ClinicInfoDocument,
          { id: clinicId },
          { token: await tokens.token(), clinicId, ...(ctx.requestId ? { requestId: ctx.requestId } : {}) },
        );
        return data.clinicInfo;
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions?.code === 'NOT_FOUND') return null;
        logger.error({ err: error, clinicId, reqId: ctx.requestId }, 'call to admin failed');
        throw new GraphQLError('The clinic registry (admin) could not be asked about this clinic; nothing was changed. Try again in a moment.', {
          extensions: { code: 'SERVICE_UNAVAILABLE', service: 'admin' },
        });
      }
    },
  };
}
