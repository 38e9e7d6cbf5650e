import { z } from 'zod';
import { forbiddenError } from '@clinicult/kit';
import type { AdminProvisioner, ProvisionedInvitation } from './ports.js';
import type { Actor, ClinicRegistry } from './clinics.js';
import { parseInput } from './validation.js';

/**
 * A clinic's first ADMIN (DESIGN.md, self-service limits): users invites them, only while the
 * clinic has no active ADMIN, and auth mails them the link; the operator sees the invitation's
 * status, never the link, so no operator ever knows or sets a staff password. Only an existing,
 * ACTIVE clinic can get one.
 */
const personName = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `is required: the admin's ${what}`)
    .max(100, 'must be at most 100 characters');

const provisionAdminSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, 'must be at most 254 characters')
    .pipe(z.email('is not an email address (name@example.com)')),
  firstName: personName('first name'),
  lastName: personName('last name'),
});
export type ProvisionAdminInput = z.input<typeof provisionAdminSchema>;

export async function provisionClinicAdmin(
  deps: { registry: ClinicRegistry; provisioner: AdminProvisioner },
  clinicId: string,
  input: ProvisionAdminInput,
  actor: Actor,
): Promise<ProvisionedInvitation> {
  const person = parseInput(provisionAdminSchema, input, 'input');
  if (!actor.userId) throw forbiddenError('Only an operator invites a clinic’s first ADMIN.');
  const clinic = await deps.registry.requireActive(clinicId);
  return deps.provisioner.provisionAdminUser({ clinicId: clinic.id, ...person, invitedBy: actor.userId }, actor.requestId);
}
