import { randomUUID } from 'node:crypto';
import { callGraphQL } from '@clinicult/kit';
import { UpsertOperatorProfileDocument } from './__generated__/users-operations.js';
import { loadAuthConfig, type AuthConfig } from './config.js';
import { createDb, type AuthDb } from './db.js';
import { KeyStore } from './keys.js';
import { issueLink, linkUrl } from './domain/links.js';
import { normalizeEmail } from './domain/sessions.js';
import { TokenIssuer } from './token-issuer.js';

/**
 * The first operator of an installation (DESIGN.md: the only printed link). No API creates an
 * operator: this runs where auth runs, with auth's database and signing key, writes the login,
 * asks users for the profile with a token it mints for itself, and returns a one-time link to
 * choose the password (`npm run operator:create`, docs/operations.md). The operator enrols a
 * second factor at their first sign-in (required for operators).
 */
export interface CreateOperatorInput {
  email: string;
  firstName: string;
  lastName: string;
}

export interface CreatedOperator {
  userId: string;
  /** null when the operator already has a password (nothing to print) */
  link: string | null;
  expiresAt: Date | null;
}

export async function createOperator(
  deps: { db: AuthDb; issuer: TokenIssuer; config: AuthConfig & { USERS_URL: string; ADMIN_WEB_URL: string } },
  input: CreateOperatorInput,
): Promise<CreatedOperator> {
  const email = normalizeEmail(input.email);
  const existing = await deps.db.credential.findUnique({ where: { email } });
  if (existing && !existing.isOperator) {
    throw new Error(`${email} already signs in as clinic staff; an operator needs an address of their own.`);
  }
  const { token } = await deps.issuer.serviceToken('auth');
  const data = await callGraphQL(
    new URL('/graphql', deps.config.USERS_URL).toString(),
    UpsertOperatorProfileDocument,
    { userId: existing?.userId ?? randomUUID(), email, firstName: input.firstName.trim(), lastName: input.lastName.trim() },
    { token, timeoutMs: 10_000 },
  );
  const userId = data.upsertOperatorProfile;
  if (existing && existing.userId !== userId) {
    throw new Error(`${email} has user id ${existing.userId} in auth but ${userId} in users: fix the data by hand first.`);
  }
  if (existing?.passwordHash) return { userId, link: null, expiresAt: null };
  const link = await deps.db.$transaction(async (tx) => {
    await tx.credential.upsert({ where: { userId }, create: { userId, email, isOperator: true }, update: { isOperator: true } });
    return issueLink(tx, { userId, purpose: 'INVITATION', expiresAt: new Date(Date.now() + deps.config.INVITATION_TTL_HOURS * 3600_000) });
  });
  return { userId, link: linkUrl(deps.config.ADMIN_WEB_URL, 'set-password', link.token), expiresAt: link.expiresAt };
}

/**
 * The same, from an environment like auth's own (DATABASE_URL or DATABASE_URL_AUTH, the signing
 * keys in that database): what `npm run operator:create` and the demo seed run.
 */
export async function createOperatorFromEnvironment(
  env: NodeJS.ProcessEnv,
  input: CreateOperatorInput,
): Promise<CreatedOperator> {
  const config = loadAuthConfig(env);
  const db = createDb(config.DATABASE_URL);
  try {
    const keys = new KeyStore(db, config.TOKEN_TTL_SECONDS);
    await keys.init(config.KEY_ROTATION_DAYS);
    return await createOperator(
      {
        db,
        issuer: new TokenIssuer(keys, config),
        config: { ...config, USERS_URL: env.USERS_URL ?? 'http://127.0.0.1:4002', ADMIN_WEB_URL: env.ADMIN_WEB_URL ?? 'http://localhost:3001' },
      },
      input,
    );
  } finally {
    await db.$disconnect();
  }
}
