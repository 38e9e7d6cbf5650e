import { callGraphQL, type Logger, type ServiceTokenSource } from '@clinicult/kit';
import { GraphQLError } from 'graphql';

/** What users needs to know about clinics: whether one exists and its name (admin owns the registry). */
export interface ClinicDirectory {
  /** The clinic, or null when admin says there is none; throws when admin cannot be asked. */
  info(clinicId: string, ctx: { requestId?: string }): Promise<{ id: string; name: string } | null>;
}

/** Asks admin's internal `clinicInfo` (schema/admin.graphql) with users' service token. */
export function createClinicDirectory(adminUrl: string, tokens: ServiceTokenSource, logger: Logger): ClinicDirectory {
  const url = new URL('/graphql', adminUrl).toString();
  return {
    async info(clinicId, ctx) {
      try {
        const data = await callGraphQL<{ clinicInfo: { id: string; name: string } | null }>(
          url,
          'query ($id: ID!) { clinicInfo(id: $id) { id name } }',
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

/** A fixed list (tests, or a deployment without admin): ids, or id → name. */
export function staticClinicDirectory(clinics: Iterable<string> | Record<string, string>): ClinicDirectory {
  const known = new Map(
    Symbol.iterator in Object(clinics) ? [...(clinics as Iterable<string>)].map((id) => [id, `Clinic ${id.slice(0, 8)}`] as const) : Object.entries(clinics),
  );
  return { info: async (clinicId) => (known.has(clinicId) ? { id: clinicId, name: known.get(clinicId)! } : null) };
}
