import type { UsersDb } from '../db.js';
import { emailSchema, firstNameSchema, lastNameSchema, parseInput } from './validation.js';
import { z } from 'zod';

/**
 * An operator's profile, written only by auth's create-operator command (DESIGN.md: no API
 * creates an operator). Answers the id of the profile with that address: the existing one, or a
 * new one with the id auth proposed.
 */
const operatorProfileSchema = z.object({
  userId: z.uuid('userId: must be a UUID.'),
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
});

export async function upsertOperatorProfile(db: UsersDb, raw: unknown): Promise<string> {
  const input = parseInput(operatorProfileSchema, raw);
  const existing = await db.user.findUnique({ where: { email: input.email } });
  if (existing) return existing.id;
  const created = await db.user.create({
    data: { id: input.userId, email: input.email, firstName: input.firstName, lastName: input.lastName, status: 'ACTIVE', activatedAt: new Date() },
  });
  return created.id;
}
