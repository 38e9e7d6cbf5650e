export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> | undefined;
  headers: Headers;
}

/** A plain HTTP GraphQL call (tests talk to real servers, never to resolvers directly). */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(url.endsWith('/graphql') ? url : `${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: T | null; errors?: GraphQLResponse['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
}

/** The error codes of a response, for assertions like `expect(codes(r)).toEqual(['FORBIDDEN'])`. */
export function codes(response: GraphQLResponse): string[] {
  return (response.errors ?? []).map((e) => String(e.extensions?.code));
}

/** The field paths a BAD_USER_INPUT names (`extensions.fields: [{ path, message }]`, the one input-error shape). */
export function fieldPaths(error: { extensions?: Record<string, unknown> } | undefined): string[] {
  const fields = error?.extensions?.fields;
  if (!Array.isArray(fields)) return [];
  const paths = fields.map((f: unknown) =>
    typeof f === 'object' && f !== null && typeof (f as { message?: unknown }).message === 'string'
      ? String((f as { path?: unknown }).path)
      : `not a { path, message }: ${JSON.stringify(f)}`,
  );
  return [...new Set(paths)];
}
