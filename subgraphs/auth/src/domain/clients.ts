import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { invalidField, notFound, parseInput } from '@clinicult/kit';
import { clientSubject, DISPLAY_PERMISSIONS, type StaffCaller } from '@clinicult/rbac';
import type { AuthDeps } from '../deps.js';

/**
 * A clinic's registered clients (issue 17): devices that act for the clinic on a credential of
 * their own, not on anybody's session. Two kinds: SMART backend clients (smart-clients.ts), and
 * the waiting-room display: its ADMIN
 * registers it by name and gets a key once; the display trades the key for a short-lived token
 * (CLIENT_TOKEN_TTL_SECONDS) holding only DISPLAY_PERMISSIONS, and again before that ends.
 * Revoking it refuses the key from then on and ends its tokens at once (the fact
 * `deact:client:<id>`, read by every service's session check).
 *
 * The key is `cdk_<client id>_<secret>` with 256 random bits of secret; auth keeps only the
 * secret's SHA-256, so a copy of the database signs no display in.
 */
export interface ClientView {
  id: string;
  clinicId: string;
  name: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_PATTERN = /^cdk_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;
const MAX_DISPLAYS = 50;

const nameSchema = z.string().trim().min(1, 'give the display a name, e.g. "Waiting room, ground floor".').max(120, 'at most 120 characters.');

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What the ADMIN sees of any client (never its secret or keys). */
export function view(row: { id: string; clinicId: string; name: string; createdAt: Date; createdBy: string; lastUsedAt: Date | null; revokedAt: Date | null }): ClientView {
  const { id, clinicId, name, createdAt, createdBy, lastUsedAt, revokedAt } = row;
  return { id, clinicId, name, createdAt, createdBy, lastUsedAt, revokedAt };
}

type ClientKind = 'DISPLAY' | 'SMART_BACKEND';

/** The clinic's clients of one kind, newest first (revoked ones too: the ADMIN sees what was switched off). */
export function clientRows(deps: Pick<AuthDeps, 'db'>, clinicId: string, kind: ClientKind) {
  return deps.db.apiClient.findMany({ where: { clinicId, kind }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
}

export async function listDisplays(deps: Pick<AuthDeps, 'db'>, clinicId: string): Promise<ClientView[]> {
  return (await clientRows(deps, clinicId, 'DISPLAY')).map(view);
}

/** A new display of the ADMIN's clinic, and its key (shown this once). */
export async function registerDisplay(deps: Pick<AuthDeps, 'db'>, admin: StaffCaller, rawName: unknown): Promise<{ display: ClientView; key: string }> {
  const name = parseInput(nameSchema, rawName, 'name');
  const active = await deps.db.apiClient.count({ where: { clinicId: admin.clinicId, kind: 'DISPLAY', revokedAt: null } });
  if (active >= MAX_DISPLAYS) throw invalidField('name', `A clinic has at most ${MAX_DISPLAYS} displays in use: revoke one it no longer uses first.`);
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const row = await deps.db.apiClient.create({
    data: {
      id,
      clinicId: admin.clinicId,
      kind: 'DISPLAY',
      name,
      secretHash: hashSecret(secret),
      permissions: [...DISPLAY_PERMISSIONS],
      createdBy: admin.userId,
    },
  });
  return { display: view(row), key: `cdk_${id}_${secret}` };
}

/** Revokes one of the ADMIN's clinic's displays: its key is refused and its tokens end now. Idempotent. */
export async function revokeDisplay(deps: Pick<AuthDeps, 'db' | 'facts'>, admin: StaffCaller, id: string): Promise<ClientView> {
  return view(await revokeClient(deps, admin, 'DISPLAY', id));
}

/** Revokes a client of the ADMIN's clinic: no more tokens, and the ones it holds end now. Idempotent; answers the row. */
export async function revokeClient(deps: Pick<AuthDeps, 'db' | 'facts'>, admin: StaffCaller, kind: ClientKind, id: string) {
  const row = await deps.db.apiClient.findFirst({ where: { id, clinicId: admin.clinicId, kind } });
  if (!row) throw notFound(`No ${kind === 'DISPLAY' ? 'display' : 'API client'} with id ${id} in this clinic.`);
  const revoked = row.revokedAt
    ? row
    : await deps.db.apiClient.update({ where: { id }, data: { revokedAt: new Date(), revokedBy: admin.userId } });
  // written again on a repeat: a Redis that missed the first write learns it now
  await deps.facts.deactivated(clientSubject(id), true, revoked.revokedAt!);
  return revoked;
}

function keyRefused(): GraphQLError {
  return new GraphQLError('This display key is not valid (mistyped, or revoked by the clinic). Ask the clinic ADMIN for a new one.', {
    extensions: { code: 'UNAUTHENTICATED', reason: 'CLIENT_KEY_INVALID' },
  });
}

/** A display's key for a token; a wrong, unknown or revoked key is one and the same refusal. */
export async function displaySignIn(deps: Pick<AuthDeps, 'db' | 'issuer' | 'config'>, key: string) {
  const match = KEY_PATTERN.exec(key.trim());
  if (!match) throw keyRefused();
  const [, id, secret] = match;
  const row = await deps.db.apiClient.findUnique({ where: { id: id! } });
  // (a SMART client has no secret: the comparison runs anyway, against zeros, and fails on its kind)
  const expected = Buffer.from(row?.secretHash ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(hashSecret(secret!), 'hex');
  if (!row || !timingSafeEqual(expected, given) || row.revokedAt || row.kind !== 'DISPLAY') throw keyRefused();
  const status = await deps.db.clinicStatus.findUnique({ where: { clinicId: row.clinicId } });
  if (status?.status === 'SUSPENDED') {
    throw new GraphQLError('This clinic is suspended. Contact your platform operator.', {
      extensions: { code: 'UNAUTHENTICATED', reason: 'CLINIC_SUSPENDED' },
    });
  }
  const cluster = status?.cluster ?? null;
  const issued = await deps.issuer.clientToken({ id: row.id, clinicId: row.clinicId, cluster, permissions: row.permissions as string[] });
  await deps.db.apiClient.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return {
    token: issued.token,
    expiresAt: issued.expiresAt,
    clinicId: row.clinicId,
    displayName: row.name,
    apiUrl: (cluster && deps.config.CLUSTER_API_URLS[cluster]) || null,
  };
}
