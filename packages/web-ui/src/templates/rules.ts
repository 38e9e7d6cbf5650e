import type * as server from '@clinicult/templates';

// @clinicult/templates' rules of a template's definition (definition.ts), for the browser: the
// package itself builds its zod schemas when loaded, and would bring zod into the apps' bundles.
// The types below fail to compile when a limit there changes; rules.test.ts checks the rest
// (the key pattern) and that what the editor accepts, the server's schema accepts.

export type FieldType = server.FieldType;
export type TemplateKind = server.TemplateKind;
export type TemplateFieldDef = server.TemplateFieldDef;

export const FIELD_TYPES: typeof server.FIELD_TYPES = ['TEXT', 'NUMBER', 'CHOICE', 'MULTI_CHOICE', 'DATE', 'BOOLEAN'];
export const TEMPLATE_KINDS: typeof server.TEMPLATE_KINDS = ['INTAKE', 'NOTE'];
export const MAX_FIELDS: typeof server.MAX_FIELDS = 100;
export const MAX_OPTIONS: typeof server.MAX_OPTIONS = 50;
/** Keys name answers in JSON and in FHIR exports: an identifier, not a sentence. */
export const FIELD_KEY: typeof server.FIELD_KEY = /^[a-z][a-zA-Z0-9_]{0,63}$/;
/** The lengths definition.ts allows (its zod schema's, which it does not export). */
export const MAX_LENGTH = { name: 120, label: 200, option: 200, unit: 32, help: 500 } as const;
