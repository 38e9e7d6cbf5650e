// The template editor both apps share (a clinic's templates, the operators' global catalogue), on
// @clinicult/templates' rules. Its own entry point: only the screens that edit templates load it.
export { TemplateBuilder } from './TemplateBuilder';
export * from './form';
export { FIELD_KEY, MAX_FIELDS, MAX_OPTIONS, type FieldType, type TemplateKind, type TemplateFieldDef } from './rules';
