import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** An OperationOutcome issue type (http://hl7.org/fhir/issue-type), the subset this facade uses. */
export type IssueCode = OperationOutcomeIssue['code'];

/** A refusal with its HTTP status; the router answers it as an OperationOutcome. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly expression?: string[],
  ) {
    super(message);
  }
}

export function operationOutcome(
  issues: Array<{ severity?: OperationOutcomeIssue['severity']; code: IssueCode; text: string; expression?: string[] }>,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.code,
      details: { text: i.text },
      ...(i.expression ? { expression: i.expression } : {}),
    })),
  };
}

export const badRequest = (message: string, expression?: string[]) => new FhirError(400, 'invalid', message, {}, expression);
export const notFound = (type: string, id: string) =>
  new FhirError(404, 'not-found', `${type}/${id} is not known to this server.`);
export const forbidden = (message: string) => new FhirError(403, 'forbidden', message);
export const unprocessable = (message: string, expression?: string[]) => new FhirError(422, 'processing', message, {}, expression);
export const notSupported = (message: string) => new FhirError(501, 'not-supported', message);

/** What the GraphQL layer answered, reduced to what the mapping needs. */
export interface GraphQLErrorLike {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * Maps the errors of a GraphQL answer to one FHIR refusal. The order decides which wins when a
 * plan failed in several places: an authentication problem first, then a denial, then the rest.
 * Messages from the subgraphs are kept for 400/409/412/422 (they name what to fix) and replaced by
 * fixed texts for 401/403 (they say nothing about data the caller may not see).
 */
export function fromGraphQLErrors(
  errors: readonly GraphQLErrorLike[],
  options: { ifMatch?: boolean; badInputStatus?: 400 | 422 } = {},
): FhirError {
  const byCode = (code: string) => errors.find((e) => e.extensions?.code === code);
  const unauthenticated = byCode('UNAUTHENTICATED');
  if (unauthenticated) {
    const reason = typeof unauthenticated.extensions?.reason === 'string' ? unauthenticated.extensions.reason : 'TOKEN_INVALID';
    return unauthorized(reason, unauthenticated.message);
  }
  if (byCode('FORBIDDEN')) {
    return forbidden('The access token does not permit this interaction (missing permission, or not a clinic staff token).');
  }
  if (byCode('NOT_FOUND')) return new FhirError(404, 'not-found', 'The resource is not known to this server.');
  const conflict = byCode('CONFLICT');
  if (conflict) {
    if (conflict.extensions?.reason === 'STALE_VERSION') {
      const current = conflict.extensions.currentVersion;
      const headers: Record<string, string> = typeof current === 'number' ? { etag: `W/"${current}"` } : {};
      return options.ifMatch
        ? new FhirError(412, 'conflict', `Version conflict: the resource was changed (now version ${String(current)}).`, headers)
        : new FhirError(409, 'conflict', `Version conflict: the resource was changed (now version ${String(current)}).`, headers);
    }
    return new FhirError(409, 'duplicate', conflict.message);
  }
  const bad = byCode('BAD_USER_INPUT');
  if (bad) return options.badInputStatus === 422 ? new FhirError(422, 'processing', bad.message) : new FhirError(400, 'invalid', bad.message);
  if (errors.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' || e.extensions?.code === 'BAD_REQUEST')) {
    return new FhirError(400, 'invalid', errors[0]!.message);
  }
  return new FhirError(500, 'exception', 'Internal server error');
}

export function unauthorized(reason: string, message: string): FhirError {
  // the token is good, but for another region's API (the message names it): 421 Misdirected Request
  if (reason === 'WRONG_REGION') return new FhirError(421, 'login', message);
  return new FhirError(401, 'login', message, {
    'www-authenticate': `Bearer realm="clinicult", error="invalid_token", error_description="${reason}"`,
  });
}
