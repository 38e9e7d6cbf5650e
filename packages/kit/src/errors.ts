import { GraphQLError } from 'graphql';

/**
 * The one place where a refusal becomes a GraphQL error code (STYLE.md, "errors are part of the API").
 * UNAUTHENTICATED carries `extensions.reason` (DESIGN.md, security model).
 */
export const AUTH_FAILURE_REASONS = [
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'USER_DEACTIVATED',
  'CLINIC_SUSPENDED',
  // Neither Redis nor auth could confirm the session: fail closed.
  'SESSION_UNVERIFIABLE',
  // An operator's token, or a token for a clinic that requires one, without a second factor.
  'SECOND_FACTOR_REQUIRED',
  // A staff token for a clinic another cluster (region) serves: `extensions.apiUrl` says where to go.
  'WRONG_REGION',
  // A clinic's registered client (a waiting-room display) that its ADMIN revoked.
  'CLIENT_REVOKED',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

const REASON_MESSAGES: Record<AuthFailureReason, string> = {
  TOKEN_INVALID: 'The access token is not valid. Sign in again.',
  TOKEN_EXPIRED: 'The session has expired. Sign in again.',
  SESSION_REVOKED: 'This session has ended (signed out, password or role changed). Sign in again.',
  USER_DEACTIVATED: 'This user account has been deactivated.',
  CLINIC_SUSPENDED: 'This clinic is suspended. Contact your platform operator.',
  SESSION_UNVERIFIABLE: 'The session cannot be verified right now. Try again shortly.',
  SECOND_FACTOR_REQUIRED: 'This session needs a second factor: sign in again with your authenticator app or passkey.',
  WRONG_REGION: 'This clinic is served in another region: send its requests to that region’s API.',
  CLIENT_REVOKED: 'This display was revoked by its clinic: ask the clinic ADMIN for a new key.',
};

export class AuthError extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    message = REASON_MESSAGES[reason],
    /** more for the client, e.g. WRONG_REGION's `cluster` and `apiUrl` */
    readonly details: Record<string, string | null> = {},
  ) {
    super(message);
  }
}

export function unauthenticatedError(reason: AuthFailureReason, message?: string, details: Record<string, string | null> = {}): GraphQLError {
  // 421 Misdirected Request: the token is good, this server is the wrong one for it
  const status = reason === 'WRONG_REGION' ? 421 : 401;
  return new GraphQLError(message ?? REASON_MESSAGES[reason], {
    extensions: { code: 'UNAUTHENTICATED', reason, ...details, http: { status } },
  });
}

/**
 * A staff token whose clinic another cluster serves (or, from before regions, names none): refused
 * with the region it names and that region's API, so the client goes there (docs/architecture.md).
 */
export function wrongRegion(tokenCluster: string | null | undefined, servedHere: string, apiUrls: Readonly<Record<string, string>>): AuthError {
  if (!tokenCluster) {
    return new AuthError('WRONG_REGION', `This session names no region and this API serves ${servedHere} only: sign in again.`, { cluster: null, apiUrl: null });
  }
  const apiUrl = apiUrls[tokenCluster] ?? null;
  return new AuthError(
    'WRONG_REGION',
    `This clinic is served in region ${tokenCluster}, not ${servedHere}: send its requests to ${apiUrl ?? `the ${tokenCluster} API`}.`,
    { cluster: tokenCluster, apiUrl },
  );
}

/** One input problem: the argument or input path (`input.name`, `filter.text`) and what is wrong with it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The message for a field without the `path: ` prefix the whole message starts with. */
function messageFor(path: string, message: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}

/**
 * BAD_USER_INPUT in the one input-error shape (DESIGN.md): the whole `message` for a person, and
 * `extensions.fields: [{ path, message }]` for a form to put each problem next to its control. A
 * path given alone gets the message (its own `path: ` prefix removed); an empty list says the
 * problem is about no one field.
 */
/**
 * A search the database stopped at its statement time limit (a service's `searchDb`): BAD_USER_INPUT
 * on the field, e.g. `searchTooBroad('search', 'this search matches too many patients', 3000, 'Type more of the name.')`.
 */
export function searchTooBroad(field: string, what: string, limitMs: number | undefined, hint: string): GraphQLError {
  const within = limitMs ? ` within ${limitMs >= 1000 ? `${limitMs / 1000} s` : `${limitMs} ms`}` : '';
  return badInput(`${field}: ${what} to answer${within}. ${hint}`, [field]);
}

export function badInput(
  message: string,
  fields: ReadonlyArray<string | FieldProblem | undefined>,
  extra: Record<string, unknown> = {},
): GraphQLError {
  const problems = fields
    .filter((f): f is string | FieldProblem => f !== undefined && f !== '')
    .map((f) => (typeof f === 'string' ? { path: f, message: messageFor(f, message) } : f));
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extra, fields: problems } });
}

/** One input field is wrong. */
export function invalidField(path: string, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return badInput(message, [{ path, message: messageFor(path, message) }], extra);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'TOO_MANY_REQUESTS', retryAfterSeconds } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function conflict(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT', ...extra } });
}

export function forbiddenError(message = 'You do not have permission to do this.'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}
