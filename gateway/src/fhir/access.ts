import { hasPermission, scopeAllows, type Caller, type SmartInteraction } from '@clinicult/rbac';
import { BY_TYPE } from './registry.js';

/** What a FHIR request does to a resource type (SMART's letters: c r u s). */
export type Interaction = 'read' | 'search' | 'create' | 'update';

const LETTER: Record<Interaction, SmartInteraction> = { read: 'r', search: 's', create: 'c', update: 'u' };

/**
 * Whether the caller may do this on this resource type, decided from the token before any data is
 * read: staff by their permissions (the registry's), a FHIR API client by its SMART scopes (a
 * client with system/Patient.rs reads no Encounter even where the permissions behind the scopes
 * overlap). Anyone else (operators, services, displays) reads no clinic's FHIR data.
 */
export function allows(caller: Caller, type: string, interaction: Interaction): boolean {
  if (caller.kind === 'client') return caller.scopes !== undefined && scopeAllows(caller.scopes, type, LETTER[interaction]);
  if (caller.kind !== 'staff') return false;
  const needed = neededPermission(type, interaction);
  return needed !== undefined && hasPermission(caller.permissions, needed);
}

/** The permission staff need for this interaction on this type (the registry's). */
function neededPermission(type: string, interaction: Interaction): string | undefined {
  const handler = BY_TYPE.get(type);
  const writes = interaction === 'create' || interaction === 'update';
  return writes ? (handler?.writePermission ?? handler?.permission) : handler?.permission;
}

/** The words of a refusal: which permission or scope the token lacks. */
export function missing(caller: Caller, type: string, interaction: Interaction): string {
  if (caller.kind === 'client') {
    return caller.scopes === undefined
      ? 'This token is not a FHIR API client\'s: register one (SMART Backend Services, docs/fhir.md).'
      : `${interaction} of ${type} needs the scope system/${type}.${LETTER[interaction]}, which this token was not granted.`;
  }
  if (caller.kind !== 'staff') return 'FHIR serves one clinic\'s data to its staff and API clients; this token acts for no clinic.';
  return `${type} needs ${neededPermission(type, interaction)}, which this token does not carry.`;
}
