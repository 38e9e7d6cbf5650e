import { createPublicKey, randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import { z } from 'zod';
import { forbiddenError, invalidField, parseInput } from '@clinicult/kit';
import {
  formatSmartScope,
  grantsMedical,
  hasPermission,
  narrowScopes,
  parseSmartScope,
  permissionsForScopes,
  SMART_ASSERTION_ALGORITHMS,
  SmartScopeError,
  type SmartScope,
  type StaffCaller,
} from '@clinicult/rbac';
import type { AuthDeps } from '../deps.js';
import { clientRows, revokeClient, view, type ClientView } from './clients.js';

/**
 * A clinic's FHIR API clients (issue 18, SMART Backend Services): another health system's program
 * registered by the clinic's ADMIN with its public keys and the SMART scopes it may use. It never
 * holds a secret of ours: each token request carries a client assertion it signed with its private
 * key (private_key_jwt, RFC 7523), checked here against the keys registered; the token it gets acts
 * for the clinic with exactly its scopes' permissions. Revoking it works as for a display (the fact
 * `deact:client:<id>`).
 */
export interface ApiClientView extends ClientView {
  scopes: string[];
  keyIds: string[];
}

const MAX_CLIENTS = 50;
const MAX_KEYS = 5;
const MAX_SCOPES = 20;
/** RFC 7523 §3 requires exp; SMART asks for at most five minutes */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

const inputSchema = z.object({
  name: z.string().trim().min(1, 'give the client a name, e.g. "Laboratorio Central".').max(120, 'at most 120 characters.'),
  jwks: z.string().max(20_000, 'at most 20,000 characters: a JWKS of a few public keys.'),
  scopes: z.array(z.string().trim()).min(1, 'grant at least one scope, e.g. system/Patient.rs.').max(MAX_SCOPES, `at most ${MAX_SCOPES} scopes.`),
});

/** The public keys of a JWKS as registered, or BAD_USER_INPUT naming what is wrong. */
function parseJwks(text: string): JSONWebKeySet {
  const refuse = (message: string) => invalidField('input.jwks', message);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refuse('not JSON: paste the client\'s public JWKS, {"keys": [ … ]}.');
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw refuse('a JWKS has a "keys" list with at least one key.');
  if (keys.length > MAX_KEYS) throw refuse(`at most ${MAX_KEYS} keys (one in use, others while rotating).`);
  const kids = new Set<string>();
  for (const raw of keys as JWK[]) {
    if (typeof raw !== 'object' || raw === null) throw refuse('each key is a JSON object (a JWK).');
    if (typeof raw.kid !== 'string' || raw.kid.trim() === '') throw refuse('each key needs a "kid": the client names it in its assertions\' header.');
    if (kids.has(raw.kid)) throw refuse(`two keys have the kid ${raw.kid}.`);
    kids.add(raw.kid);
    if (PRIVATE_MEMBERS.some((m) => m in raw)) throw refuse(`key ${raw.kid} holds a private part: register the public key only, and keep the private one with the client.`);
    if (raw.alg !== undefined && !SMART_ASSERTION_ALGORITHMS.includes(raw.alg)) {
      throw refuse(`key ${raw.kid}: alg ${raw.alg} is not accepted (${SMART_ASSERTION_ALGORITHMS.join(', ')}).`);
    }
    let key;
    try {
      key = createPublicKey({ key: raw as never, format: 'jwk' });
    } catch {
      throw refuse(`key ${raw.kid} is not a valid public key.`);
    }
    const type = key.asymmetricKeyType;
    const size = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (type === 'rsa' && size < 2048) throw refuse(`key ${raw.kid}: an RSA key has at least 2048 bits.`);
    if (type !== 'rsa' && type !== 'ec' && type !== 'ed25519') throw refuse(`key ${raw.kid}: use an RSA, EC (P-256, P-384) or Ed25519 key.`);
  }
  return { keys: keys as JWK[] };
}

function parseScopes(texts: readonly string[]): SmartScope[] {
  return texts.map((text, i) => {
    try {
      return parseSmartScope(text);
    } catch (error) {
      if (error instanceof SmartScopeError) throw invalidField(`input.scopes[${i}]`, error.message);
      throw error;
    }
  });
}

function storedScopes(row: { scopes: unknown }): SmartScope[] {
  return ((row.scopes as string[] | null) ?? []).map((s) => parseSmartScope(s));
}

function apiView(row: ClientRow): ApiClientView {
  return {
    ...view(row),
    scopes: (row.scopes as string[] | null) ?? [],
    keyIds: (((row.publicJwks as JSONWebKeySet | null)?.keys ?? []) as JWK[]).map((k) => k.kid!).filter(Boolean),
  };
}

type ClientRow = Awaited<ReturnType<AuthDeps['db']['apiClient']['findUniqueOrThrow']>>;

export async function listApiClients(deps: Pick<AuthDeps, 'db'>, clinicId: string): Promise<ApiClientView[]> {
  return (await clientRows(deps, clinicId, 'SMART_BACKEND')).map(apiView);
}

/** A new API client of the ADMIN's clinic; medical scopes only from someone who may read medical data. */
export async function registerApiClient(deps: Pick<AuthDeps, 'db'>, admin: StaffCaller, rawInput: unknown): Promise<ApiClientView> {
  const input = parseInput(inputSchema, rawInput, 'input');
  const jwks = parseJwks(input.jwks);
  const scopes = parseScopes(input.scopes);
  if (grantsMedical(scopes) && !hasPermission(admin.permissions, 'clinicult:medical:read')) {
    throw forbiddenError(
      'Scopes on medical resources (Observation, Condition, MedicationRequest, AllergyIntolerance, MedicationStatement) can be granted only by someone who may read medical data in this clinic (clinicult:medical:read): ask a doctor who is also an ADMIN.',
    );
  }
  const active = await deps.db.apiClient.count({ where: { clinicId: admin.clinicId, kind: 'SMART_BACKEND', revokedAt: null } });
  if (active >= MAX_CLIENTS) throw invalidField('input.name', `A clinic has at most ${MAX_CLIENTS} API clients in use: revoke one it no longer uses first.`);
  const row = await deps.db.apiClient.create({
    data: {
      id: randomUUID(),
      clinicId: admin.clinicId,
      kind: 'SMART_BACKEND',
      name: input.name,
      publicJwks: jwks as object,
      scopes: scopes.map(formatSmartScope),
      permissions: permissionsForScopes(scopes),
      createdBy: admin.userId,
    },
  });
  return apiView(row);
}

export async function revokeApiClient(deps: Pick<AuthDeps, 'db' | 'facts'>, admin: StaffCaller, id: string): Promise<ApiClientView> {
  return apiView(await revokeClient(deps, admin, 'SMART_BACKEND', id));
}

/** An OAuth error answer (RFC 6749 §5.2): `error` is one of the registered codes. */
export class TokenRequestError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(description);
  }
}

export interface SmartTokenRequest {
  assertion: string;
  clientId?: string;
  /** the space-separated scopes asked for; none: all granted */
  scope?: string;
  /** the token endpoint the client was told of (its assertion's `aud`) */
  tokenEndpoint: string;
}

/**
 * An access token for a client assertion (SMART Backend Services §"Obtaining an access token"):
 * the client exists, is not revoked, its clinic is not suspended, the assertion is signed by one of
 * its keys, names it as iss and sub and this token endpoint as aud, lives at most five minutes and
 * was never used before. The scopes are those asked for, narrowed to those granted.
 */
export async function smartToken(
  deps: Pick<AuthDeps, 'db' | 'issuer' | 'config'>,
  request: SmartTokenRequest,
  firstUse: (id: string, ttlSeconds: number) => Promise<boolean>,
) {
  const refused = (why: string) => new TokenRequestError(401, 'invalid_client', why);
  let clientId: string;
  try {
    clientId = String(decodeJwt(request.assertion).iss ?? '');
  } catch {
    throw refused('the client assertion is not a JWT');
  }
  if (request.clientId && request.clientId !== clientId) throw refused('client_id and the assertion\'s iss differ');
  const row = /^[0-9a-f-]{36}$/.test(clientId) ? await deps.db.apiClient.findUnique({ where: { id: clientId } }) : null;
  // unknown, revoked or another kind: one and the same answer
  if (!row || row.kind !== 'SMART_BACKEND' || row.revokedAt) throw refused('unknown or revoked client');
  let payload;
  try {
    ({ payload } = await jwtVerify(request.assertion, createLocalJWKSet(row.publicJwks as unknown as JSONWebKeySet), {
      algorithms: [...SMART_ASSERTION_ALGORITHMS],
      issuer: clientId,
      subject: clientId,
      audience: request.tokenEndpoint,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (error) {
    const reason = error instanceof joseErrors.JOSEError ? error.code : 'invalid';
    throw refused(`the client assertion does not verify (${reason})`);
  }
  const ttl = payload.exp! - Math.floor(Date.now() / 1000);
  if (ttl > MAX_ASSERTION_LIFETIME_SECONDS) throw refused('the client assertion lives longer than five minutes');
  if (!(await firstUse(`smart:${clientId}:${payload.jti}`, Math.max(ttl, 1)))) throw refused('the client assertion was used before');

  let requested: SmartScope[] | null = null;
  if (request.scope?.trim()) {
    try {
      requested = request.scope.trim().split(/\s+/).map((s) => parseSmartScope(s));
    } catch (error) {
      if (error instanceof SmartScopeError) throw new TokenRequestError(400, 'invalid_scope', error.message);
      throw error;
    }
  }
  const scopes = narrowScopes(storedScopes(row), requested);
  if (scopes.length === 0) throw new TokenRequestError(400, 'invalid_scope', 'none of the scopes asked for was granted to this client');

  const status = await deps.db.clinicStatus.findUnique({ where: { clinicId: row.clinicId } });
  if (status?.status === 'SUSPENDED') throw new TokenRequestError(400, 'invalid_grant', 'this clinic is suspended');
  const scope = scopes.map(formatSmartScope).join(' ');
  const issued = await deps.issuer.clientToken(
    { id: row.id, clinicId: row.clinicId, cluster: status?.cluster ?? null, permissions: permissionsForScopes(scopes) },
    { scope, ttlSeconds: deps.config.SMART_TOKEN_TTL_SECONDS },
  );
  await deps.db.apiClient.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return {
    access_token: issued.token,
    token_type: 'bearer',
    expires_in: Math.floor((issued.expiresAt.getTime() - Date.now()) / 1000),
    scope,
  };
}
