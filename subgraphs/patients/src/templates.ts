import { GraphQLError } from 'graphql';
import { badInput, callGraphQL, type Logger } from '@clinicult/kit';
import { readStoredFields, type TemplateFieldDef, type TemplateKind } from '@clinicult/templates';
import type { TokenSource } from './clinics.js';
import { TemplateForVisitDocument, type TemplateForVisitQuery } from './__generated__/clinic-operations.js';

/**
 * The template a visit is started with (DESIGN.md, "The visit"): at check-in patients fetches the
 * template's current version from the clinic service (internal `templateForVisit`, service token
 * naming the clinic) and keeps this copy on the visit, so answers are validated locally and the
 * visit always shows the version it was started with, whatever is published later.
 */
export type VisitTemplate = {
  /** the version's own id */
  id: string;
  templateId: string;
  name: string;
  kind: TemplateKind;
  version: number;
  fields: TemplateFieldDef[];
};

export interface TemplateSource {
  /**
   * The template's current version, or a BAD_USER_INPUT naming `templateId` (unknown in this
   * clinic, inactive) or SERVICE_UNAVAILABLE (the clinic service could not answer).
   */
  forVisit(clinicId: string, templateId: string, ctx?: { requestId?: string }): Promise<VisitTemplate>;
}


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

/** Reads a visit's stored copy (a JSON column or an archive snapshot); null when there is none. */
export function readVisitTemplate(value: unknown): VisitTemplate | null {
  if (value === null || value === undefined || typeof value !== 'object') return null;
  const raw = value as Record<string, unknown>;
  return {
    id: String(raw.id),
    templateId: String(raw.templateId),
    name: String(raw.name),
    kind: raw.kind as TemplateKind,
    version: Number(raw.version),
    fields: readStoredFields(raw.fields),
  };
}
