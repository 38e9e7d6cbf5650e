import { GraphQLError } from 'graphql';
import { badInput, remoteCode, ServiceCaller, type Logger } from '@clinicult/kit';
import { readStoredFields } from '@clinicult/templates';
import type { TemplateSource, TokenSource } from '../domain/ports.js';
import { TemplateForVisitDocument, type TemplateForVisitQuery } from '../__generated__/clinic-operations.js';

/** The caller's SERVICE_UNAVAILABLE or UPSTREAM_ERROR, said about the argument and with a way out. */
function unavailable(cause: GraphQLError): GraphQLError {
  return new GraphQLError(`templateId: ${cause.message.replace(/ try again shortly\.$/, ' try again, or check in without a template.')}`, {
    extensions: { ...cause.extensions, field: 'templateId' },
  });
}

export function createTemplateSource(options: { clinicUrl: string; tokens: TokenSource; logger: Logger; timeoutMs: number }): TemplateSource {
  const clinic = { name: 'clinic', url: options.clinicUrl };
  const caller = new ServiceCaller({ service: 'patients', tokens: options.tokens, logger: options.logger, timeoutMs: options.timeoutMs });
  return {
    async forVisit(clinicId, templateId, ctx = {}) {
      let data: TemplateForVisitQuery;
      try {
        data = await caller.call(clinic, 'fetch the template', TemplateForVisitDocument, { templateId }, {
          clinicId,
          ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
        });
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        if (remoteCode(error) === 'BAD_USER_INPUT') {
          // e.g. TEMPLATE_INACTIVE: the clinic's own words, attributed to our argument
          throw badInput(`templateId: ${error.message}`, ['templateId'], { reason: error.extensions.reason ?? null });
        }
        throw unavailable(error);
      }
      const found = data.templateForVisit;
      if (!found) {
        throw badInput(
          `templateId: no template with id ${templateId} in this clinic; choose one of the clinic's active templates.`,
          ['templateId'], { reason: 'TEMPLATE_NOT_FOUND' },
        );
      }
      return { ...found, fields: readStoredFields(found.fields) };
    },
  };
}
