import { getOperationAST, Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { PUBLIC_MUTATIONS as PUBLIC } from '@clinicult/rbac';

/**
 * What a caller without a token may send (DESIGN.md, security model): mutations whose root fields
 * are all public auth operations (the one list in @clinicult/rbac). Everything else needs a valid
 * token and is refused before the query is validated or planned, so an anonymous caller learns
 * nothing about the schema.
 */
export const PUBLIC_MUTATIONS: ReadonlySet<string> = new Set(PUBLIC);
const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

export interface AnonymousPolicy {
  /** Let anonymous introspection through (development only: the playground loads the schema). */
  allowIntrospection: boolean;
}

export type AnonymousVerdict =
  | { allowed: true }
  /** The document does not parse: Apollo answers the syntax error (it reveals nothing about the schema). */
  | { allowed: 'unparseable' }
  | { allowed: false };

export function isPublicOperation(operation: OperationDefinitionNode, policy: AnonymousPolicy): boolean {
  const rootFields = operation.selectionSet.selections;
  if (rootFields.length === 0) return false;
  const allFieldsIn = (names: ReadonlySet<string>) =>
    rootFields.every((s) => s.kind === Kind.FIELD && (s.name.value === '__typename' || names.has(s.name.value)));
  if (operation.operation === 'mutation') return allFieldsIn(PUBLIC_MUTATIONS);
  if (operation.operation === 'query' && policy.allowIntrospection) return allFieldsIn(INTROSPECTION_FIELDS);
  return false;
}

export function judgeAnonymous(
  query: string | undefined,
  operationName: string | undefined,
  policy: AnonymousPolicy,
  maxTokens: number,
): AnonymousVerdict {
  if (query === undefined || query === '') return { allowed: false };
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens, noLocation: true });
  } catch {
    return { allowed: 'unparseable' };
  }
  const operation = getOperationAST(document, operationName);
  if (!operation) return { allowed: false };
  return { allowed: isPublicOperation(operation, policy) };
}
