import type { ApolloServer } from '@apollo/server';
import type { Logger } from '@clinicult/kit';
import type { Caller } from '@clinicult/rbac';
import type { GatewayContext } from '../context.js';
import { fromGraphQLErrors, type GraphQLErrorLike } from './outcome.js';

/** Who is asking, as the gateway verified it: the FHIR request runs as exactly this caller. */
export interface FhirCaller {
  caller: Caller;
  authorization: string;
  requestId: string;
  clientIp?: string;
}

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: readonly GraphQLErrorLike[];
}

export type Execute = (who: FhirCaller, query: string, variables?: Record<string, unknown>) => Promise<GraphQLAnswer>;

/**
 * Runs an operation through the gateway's own Apollo pipeline (the supergraph, its limits, its
 * plugins), with the caller's own token forwarded to the subgraphs: permissions, tenancy and the
 * audit trail are the GraphQL ones. `api: 'fhir'` is for the audit trail's `x-clinicult-api`.
 */
export function apolloExecutor(apollo: ApolloServer<GatewayContext>, logger: Logger): Execute {
  return async (who, query, variables = {}) => {
    const contextValue: GatewayContext = {
      caller: who.caller,
      authorization: who.authorization,
      requestId: who.requestId,
      clientIp: who.clientIp,
      logger: logger.child({ reqId: who.requestId, api: 'fhir' }),
      api: 'fhir',
    };
    const response = await apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('FHIR: unexpected incremental GraphQL answer');
    const { data, errors } = response.body.singleResult;
    return { data: data as Record<string, any> | null | undefined, errors };
  };
}

/** Options for {@link run}. */
export interface RunOptions {
  /** errors to keep beside the data instead of failing (e.g. a medical field $everything may leave out) */
  tolerate?: (error: GraphQLErrorLike) => boolean;
  /** If-Match was sent: a version conflict is 412 rather than 409 */
  ifMatch?: boolean;
  /** the status of BAD_USER_INPUT: 400 for a search, 422 for a resource body */
  badInputStatus?: 400 | 422;
}

/** Runs an operation; any error not tolerated becomes the matching FHIR refusal. */
export async function run<T = Record<string, any>>(
  execute: Execute,
  who: FhirCaller,
  query: string,
  variables: Record<string, unknown> = {},
  options: RunOptions = {},
): Promise<T> {
  const answer = await execute(who, query, variables);
  const errors = (answer.errors ?? []).filter((e) => !options.tolerate?.(e));
  if (errors.length > 0 || !answer.data) {
    throw fromGraphQLErrors(errors.length > 0 ? errors : [{ message: 'no data' }], options);
  }
  return answer.data as T;
}
