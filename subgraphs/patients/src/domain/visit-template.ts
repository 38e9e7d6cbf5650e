import { readStoredFields, type TemplateFieldDef, type TemplateKind } from '@clinicult/templates';

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
