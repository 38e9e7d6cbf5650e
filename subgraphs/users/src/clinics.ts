import { callGraphQL, type Logger, type ServiceTokenSource } from '@clinicult/kit';
import { GraphQLError } from 'graphql';

/** What users needs to know about clinics: whether one exists (admin owns the registry). */
export interface ClinicDirectory {
  /** true/false when admin answered; throws when it cannot be asked. */
  exists(clinicId: string, ctx: { requestId?: string }): Promise<boolean>;
}

/** Asks admin's internal `clinicInfo` (schema/admin.graphql) with users' service token. */
export function createClinicDirectory(adminUrl: string, tokens: ServiceTokenSource, logger: Logger): ClinicDirectory {
  const url = new URL('/graphql', adminUrl).toString();
  return {
    async exists(clinicId, ctx) {
      try {
        const data = await callGraphQL<{ clinicInfo: { id: string } | null }>(
          url,
          'query ($id: ID!) { clinicInfo(id: $id) { id } }',
          { id: clinicId },
          { token: await tokens.token(), clinicId, ...(ctx.requestId ? { requestId: ctx.requestId } : {}) },
        );
        return data.clinicInfo !== null;
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions?.code === 'NOT_FOUND') return false;
        logger.error({ err: error, clinicId, reqId: ctx.requestId }, 'call to admin failed');
        throw new GraphQLError('The clinic registry (admin) could not be asked about this clinic; nothing was changed. Try again in a moment.', {
          extensions: { code: 'SERVICE_UNAVAILABLE', service: 'admin' },
        });
      }
    },
  };
}

/** A fixed list (tests, or a deployment without admin). */
export function staticClinicDirectory(clinicIds: Iterable<string>): ClinicDirectory {
  const known = new Set(clinicIds);
  return { exists: async (clinicId) => known.has(clinicId) };
}
