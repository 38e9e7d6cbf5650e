import { can, isAuthenticated, or, serviceCan, SERVICE_CAPABILITIES, type IRules } from '@clinicult/rbac';

/**
 * Who may call what (graphql-shield; anything not listed is denied). Tenant rules — which clinic's
 * rows a caller sees — live in the domain layer and the loaders, which put the caller's clinic in
 * every WHERE.
 *
 * - settings (`clinicSettings`, `Clinic.settings`): clinicult:clinic:read (every clinic role);
 *   `updateClinicSettings`: clinicult:clinic:write (ADMIN).
 * - `clinicLanguage`: clinicult:clinic:read, or clinicult:display:read (a waiting-room display speaks
 *   the clinic's language and may read nothing else of its settings).
 * - templates (`templates`, `template`, `templateCatalog`, `Clinic.templates`, the Template type):
 *   clinicult:template:read (every clinic role); `createTemplate`, `updateTemplate`,
 *   `setTemplateActive`, `adoptGlobalTemplate`: clinicult:template:write (ADMIN).
 * - `Clinic.settings` / `Clinic.templates` of another clinic than the caller's: null with FORBIDDEN
 *   beside it (the resolver; the rule above only checks the permission).
 * - `templateForVisit` (internal): a service token with clinicult:service:template-read (patients at
 *   check-in), naming the clinic in x-clinicult-clinic-id.
 * - `can` refuses operators (no clinic), services and users who have not chosen a clinic: FORBIDDEN.
 */
export const CLINIC_READ = 'clinicult:clinic:read';
export const CLINIC_WRITE = 'clinicult:clinic:write';
export const DISPLAY_READ = 'clinicult:display:read';
export const TEMPLATE_READ = 'clinicult:template:read';
export const TEMPLATE_WRITE = 'clinicult:template:write';

const readTemplates = can(TEMPLATE_READ);
const writeTemplates = can(TEMPLATE_WRITE);

export const rules: IRules = {
  Query: {
    clinicSettings: can(CLINIC_READ),
    clinicLanguage: or(can(CLINIC_READ), can(DISPLAY_READ)),
    templates: readTemplates,
    template: readTemplates,
    templateCatalog: readTemplates,
    templateForVisit: serviceCan(SERVICE_CAPABILITIES.templateRead),
  },
  Mutation: {
    updateClinicSettings: can(CLINIC_WRITE),
    createTemplate: writeTemplates,
    updateTemplate: writeTemplates,
    setTemplateActive: writeTemplates,
    adoptGlobalTemplate: writeTemplates,
  },
  // Reached through a ruled root field or `_entities` (which the kit rules): the type rules hold for both.
  Clinic: { '*': isAuthenticated, settings: can(CLINIC_READ), templates: readTemplates },
  Template: readTemplates,
  // names on visits and the queue, scoped to the caller's clinic by the directory (as users scopes its User)
  User: isAuthenticated,
  CatalogTemplate: readTemplates,
  ClinicSettings: isAuthenticated,
  OpeningHours: isAuthenticated,
  WaitThreshold: isAuthenticated,
  TemplateVersion: isAuthenticated,
  TemplateField: isAuthenticated,
};
