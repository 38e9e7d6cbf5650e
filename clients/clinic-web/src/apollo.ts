import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, from } from '@apollo/client';
import { onError } from '@apollo/client/link/error';
import type { GraphQLFormattedError } from 'graphql';
import { graphqlEndpoint } from './config';
import { endSession, sessionStore, updateSession } from './session';

const SESSION_REASONS = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'SESSION_REVOKED', 'USER_DEACTIVATED', 'CLINIC_SUSPENDED', 'SECOND_FACTOR_REQUIRED']);

/** The API a WRONG_REGION refusal names (the gateway of the clinic's region), if the errors hold one. */
export function regionOf(errors: readonly GraphQLFormattedError[] | undefined): string | null {
  const refusal = errors?.find((e) => e.extensions?.reason === 'WRONG_REGION');
  return typeof refusal?.extensions?.apiUrl === 'string' ? refusal.extensions.apiUrl : null;
}

/** The reason of an UNAUTHENTICATED refusal of this session, if the errors hold one. */
export function sessionEndReason(errors: readonly GraphQLFormattedError[] | undefined): string | null {
  for (const error of errors ?? []) {
    if (error.extensions?.code !== 'UNAUTHENTICATED') continue;
    const reason = error.extensions.reason;
    if (typeof reason === 'string' && SESSION_REASONS.has(reason)) return reason;
  }
  return null;
}

export function createApolloClient() {
  const auth = new ApolloLink((operation, forward) => {
    const token = sessionStore.get()?.token;
    const own = operation.getContext().token as string | undefined; // an explicit token (e.g. before choosing a clinic)
    const bearer = own ?? token;
    operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
      headers: bearer ? { ...headers, authorization: `Bearer ${bearer}` } : headers,
    }));
    return forward(operation);
  });

  // Any refusal of the session (suspended clinic, revoked session, deactivated user, expiry) signs
  // the person out, and the sign-in page says why.
  const errors = onError(({ graphQLErrors, networkError, operation, forward }) => {
    // a waiting-room display's requests (its own token, /display) never touch a staff session
    if (operation.getContext().display) return;
    const fromNetwork = (networkError as { result?: { errors?: GraphQLFormattedError[] } } | undefined)?.result?.errors;
    // the clinic moved to (or is served by) another region's API: go there, and ask again once
    const region = regionOf(graphQLErrors) ?? regionOf(fromNetwork);
    if (region && region !== sessionStore.get()?.apiUrl && !operation.getContext().token) {
      updateSession({ apiUrl: region });
      return forward(operation);
    }
    const reason = sessionEndReason(graphQLErrors) ?? sessionEndReason(fromNetwork);
    const hadToken = !!(operation.getContext().token ?? sessionStore.get()?.token);
    if (reason && hadToken) endSession(reason);
  });

  // A clinic's requests go to its region's API (the session's apiUrl, from sign-in, or the one a
  // request names with its explicit token); sign-in and an unscoped token's requests to the API the
  // app is configured with.
  const endpoint = (operation: { getContext(): Record<string, unknown> }) => {
    const context = operation.getContext() as { token?: string; apiUrl?: string | null };
    return (context.token ? context.apiUrl : sessionStore.get()?.apiUrl) ?? graphqlEndpoint();
  };
  const client = new ApolloClient({
    link: from([errors, auth, new HttpLink({ uri: endpoint })]),
    cache: new InMemoryCache({
      typePolicies: {
        // answers differ by permission: never merge a patient across sessions (the cache is cleared on sign-out)
        Query: { fields: {} },
        // one per session's clinic: a saved change (defaultLocale, thresholds) reaches every screen that shows it
        ClinicSettings: { keyFields: [] },
      },
    }),
    defaultOptions: {
      watchQuery: { errorPolicy: 'all', fetchPolicy: 'cache-and-network' },
      query: { errorPolicy: 'all' },
      mutate: { errorPolicy: 'none' },
    },
  });
  sessionStore.onEnd(() => {
    void client.clearStore();
  });
  return client;
}
