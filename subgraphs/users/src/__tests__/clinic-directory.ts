import type { ClinicDirectory } from '../domain/ports.js';

/** A fixed list of clinics instead of admin (tests of users alone): ids, or id → name. */
export function staticClinicDirectory(clinics: Iterable<string> | Record<string, string>): ClinicDirectory {
  const known = new Map(
    Symbol.iterator in Object(clinics) ? [...(clinics as Iterable<string>)].map((id) => [id, `Clinic ${id.slice(0, 8)}`] as const) : Object.entries(clinics),
  );
  return { info: async (clinicId) => (known.has(clinicId) ? { id: clinicId, name: known.get(clinicId)! } : null) };
}
