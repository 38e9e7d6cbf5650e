import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, from } from '@apollo/client';
import { onError } from '@apollo/client/link/error';
import type { GraphQLFormattedError } from 'graphql';

export interface ClientOptions {
  uri: string;
  /** the current operator token, read at each request */
  getToken(): string | null;
  /** the server refused the token (UNAUTHENTICATED): the session is over */
  onUnauthenticated(reason: string | undefined): void;
}

/** Apollo Client for the gateway: Bearer token on every request, UNAUTHENTICATED ends the session. */
export function createApolloClient(options: ClientOptions) {
  const auth = new ApolloLink((operation, forward) => {
    const token = options.getToken();
    if (token) operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
      headers: { ...headers, authorization: `Bearer ${token}` },
    }));
    return forward(operation);
  });

  const unauthenticated = onError(({ graphQLErrors, networkError, operation }) => {
    const sentToken = (operation.getContext().headers as Record<string, string> | undefined)?.authorization;
    if (!sentToken) return; // a failed sign-in is the sign-in form's business
    const bodyErrors = (networkError as { result?: { errors?: GraphQLFormattedError[] } } | null)?.result?.errors;
    const all: readonly GraphQLFormattedError[] = [...(graphQLErrors ?? []), ...(Array.isArray(bodyErrors) ? bodyErrors : [])];
    const refused = all.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
    if (refused) options.onUnauthenticated(refused.extensions?.reason as string | undefined);
  });

  return new ApolloClient({
    link: from([auth, unauthenticated, new HttpLink({ uri: options.uri })]),
    cache: new InMemoryCache({
      typePolicies: { ClinicOverview: { merge: true } },
    }),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-and-network', errorPolicy: 'all' },
      query: { errorPolicy: 'all' },
    },
  });
}
