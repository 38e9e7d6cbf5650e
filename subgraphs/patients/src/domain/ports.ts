import type { VisitTemplate } from './visit-template.js';

// What patients' domain needs of other services, as interfaces; the implementations over HTTP are
// in ../adapters/ (admin.ts: the clinic's time zone; clinic.ts: templates), and tests may hand in
// their own.

/** A source of this service's bearer tokens for internal calls (kit's `ServiceTokenSource`). */
export interface TokenSource {
  token(): Promise<string>;
}

/** What patients needs to know about a clinic (admin owns the registry). */
export interface ClinicDirectory {
  /** The clinic's IANA time zone. Never throws: falls back to the last known zone, then UTC. */
  timeZone(clinicId: string, ctx?: { requestId?: string }): Promise<string>;
}

export interface TemplateSource {
  /**
   * The template's current version, or a BAD_USER_INPUT naming `templateId` (unknown in this
   * clinic, inactive) or SERVICE_UNAVAILABLE (the clinic service could not answer).
   */
  forVisit(clinicId: string, templateId: string, ctx?: { requestId?: string }): Promise<VisitTemplate>;
}
