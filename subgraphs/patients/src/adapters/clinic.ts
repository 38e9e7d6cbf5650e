import { GraphQLError } from 'graphql';
import { badInput, callGraphQL, type Logger } from '@clinicult/kit';
import { readStoredFields } from '@clinicult/templates';
import type { TemplateSource, TokenSource } from '../domain/ports.js';
import { TemplateForVisitDocument, type TemplateForVisitQuery } from '../__generated__/clinic-operations.js';

function unavailable(detail: string): GraphQLError {
  return new GraphQLError(
    `templateId: the clinic service could not be reached to fetch the template (${detail}). Nothing was changed; try again, or check in without a template.`,
    { extensions: { code: 'SERVICE_UNAVAILABLE', service: 'clinic', field: 'templateId' } },
  );
}

export function createTemplateSource(options: { clinicUrl: string; tokens: TokenSource; logger: Logger; timeoutMs: number }): TemplateSource {
  const url = new URL('/graphql', options.clinicUrl).toString();
  return {
    async forVisit(clinicId, templateId, ctx = {}) {
      let data: TemplateForVisitQuery;
      try {
        data = await callGraphQL(url, TemplateForVisitDocument, { templateId }, {
          token: await options.tokens.token(),
          clinicId,
          timeoutMs: options.timeoutMs,
          ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
        });
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions?.code === 'BAD_USER_INPUT') {
          // e.g. TEMPLATE_INACTIVE: the clinic's own words, attributed to our argument
          throw badInput(`templateId: ${error.message}`, ['templateId'], { reason: error.extensions.reason ?? null });
        }
        options.logger.warn({ err: error, clinicId, templateId, reqId: ctx.requestId }, 'template for check-in not fetched');
        throw unavailable(error instanceof Error ? error.message : String(error));
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
