import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import { buildSchema } from 'graphql';
import { useMemo, useRef } from 'react';
import apiSdl from 'virtual:clinicult-api-schema';
import { PageTitle } from '@clinicult/web-ui';
import { useSession } from '../session';

const DEFAULT_QUERY = `# The operator console's GraphQL playground: requests go to the gateway with your
# operator token. Operators see clinics and per-clinic counts, never patient data.
query Clinics {
  clinics(first: 10) {
    totalCount
    edges {
      node {
        id
        name
        status
        cluster
        timeZone
      }
    }
  }
}
`;

type FetcherParams = { query: string; operationName?: string | null; variables?: unknown };
type FetcherOptions = { headers?: Record<string, unknown> };

/**
 * GraphiQL from npm, bundled in its own chunk: it works offline, and it is given the public API
 * schema built into the app, so docs and completion work where the gateway refuses introspection
 * (production). Every request carries the operator's token; a refusal ends the session.
 */
export default function PlaygroundPage({ gatewayUrl }: { gatewayUrl: string }) {
  const { session, expire } = useSession();
  const sessionRef = useRef({ session, expire });
  sessionRef.current = { session, expire };
  const schema = useMemo(() => buildSchema(apiSdl), []);

  const fetcher = useMemo(
    () =>
      async (params: FetcherParams, options?: FetcherOptions) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
        for (const [name, value] of Object.entries(options?.headers ?? {})) headers[name.toLowerCase()] = String(value);
        const token = sessionRef.current.session?.token;
        if (token && !headers.authorization) headers.authorization = `Bearer ${token}`;
        const response = await fetch(gatewayUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: params.query, operationName: params.operationName ?? undefined, variables: params.variables ?? undefined }),
        });
        const body = (await response.json().catch(() => ({
          errors: [{ message: `The gateway answered HTTP ${response.status} without a GraphQL response.` }],
        }))) as { errors?: { extensions?: { code?: string; reason?: string } }[] };
        const refused = body.errors?.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
        if (refused && headers.authorization === `Bearer ${token}` && token) sessionRef.current.expire(refused.extensions?.reason);
        return body;
      },
    [gatewayUrl],
  );

  return (
    <section className="playground">
      <PageTitle title="GraphQL playground">GraphQL playground</PageTitle>
      <p className="note">
        Requests go to <code>{gatewayUrl}</code> with your operator token in the Authorization header. Docs and completion use the
        schema this console was built with.
      </p>
      <div className="graphiql-frame">
        <GraphiQL
          fetcher={fetcher as never}
          schema={schema}
          defaultQuery={DEFAULT_QUERY}
          defaultEditorToolsVisibility={false}
          isHeadersEditorEnabled
          shouldPersistHeaders={false}
        />
      </div>
    </section>
  );
}
