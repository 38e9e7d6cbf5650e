import { z } from 'zod';
import { badInput } from '@clinicult/kit';
import { CLINIC_ROLES, type ClinicRole } from '@clinicult/rbac';

/**
 * Input rules for users' operations, each with a message that says what is wrong and how to fix it
 * (STYLE.md, errors are part of the API). GraphQL has already checked the types and enum values.
 */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'email: at most 254 characters.')
  .pipe(z.email('email: not a valid address; write it like name@clinic.org.'));

const name = (field: string) =>
  z
    .string()
    .trim()
    .min(1, `${field}: must not be empty.`)
    .max(100, `${field}: at most 100 characters.`);

export const firstNameSchema = name('firstName');
export const lastNameSchema = name('lastName');

/** Empty means "no phone"; otherwise digits, spaces and + ( ) - . / only. */
export const phoneSchema = z
  .string()
  .trim()
  .max(40, 'phone: at most 40 characters.')
  .regex(/^$|^\+?[0-9][0-9 ()./-]*$/, 'phone: use digits, spaces and + ( ) - . only, e.g. +34 912 345 678.')
  .transform((v) => (v === '' ? null : v));

/** A BCP 47 language tag such as en, es or pt-BR. */
export const localeSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'locale: use a language tag such as en, es or pt-BR.')
  .max(16, 'locale: at most 16 characters.');

export const rolesSchema = z
  .array(z.enum(CLINIC_ROLES))
  .min(1, 'roles: give at least one role (ADMIN, DOCTOR, NURSE or OFFICE); to take someone out of the clinic use removeMembership.')
  .transform(canonicalRoles);

/** Roles without duplicates, in the table's order (ADMIN, DOCTOR, NURSE, OFFICE). */
export function canonicalRoles(roles: readonly string[]): ClinicRole[] {
  return CLINIC_ROLES.filter((r) => roles.includes(r));
}

export const createUserInputSchema = z.object({
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
  phone: phoneSchema.nullish(),
  locale: localeSchema.nullish(),
  roles: rolesSchema,
});
export type CreateUserInput = z.infer<typeof createUserInputSchema>;

export const updateUserInputSchema = z
  .object({
    firstName: firstNameSchema.nullish(),
    lastName: lastNameSchema.nullish(),
    phone: phoneSchema.nullish(),
    locale: localeSchema.nullish(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'input: give at least one of firstName, lastName, phone, locale.',
  });
export type UpdateUserInput = z.infer<typeof updateUserInputSchema>;

export const provisionAdminInputSchema = z.object({
  clinicId: z.string().trim().min(1, 'clinicId: must not be empty.').max(36, 'clinicId: at most 36 characters.'),
  email: emailSchema,
  firstName: firstNameSchema,
  lastName: lastNameSchema,
});
export type ProvisionAdminInput = z.infer<typeof provisionAdminInputSchema>;

/** Parses with a zod schema; a failure is BAD_USER_INPUT naming every problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ path: String(issue.path[0] ?? 'input'), message: issue.message }));
  throw badInput(problems.map((p) => p.message).join(' '), problems);
}
