import { GraphQLError } from 'graphql';

/**
 * Service-to-service calls: a client-credentials token from auth (cached until shortly before it
 * expires) and a small GraphQL client that keeps the remote error codes.
 */
export class ServiceTokenSource {
  private cached: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly options: { authUrl: string; service: string; secret: string; timeoutMs?: number },
  ) {}

  async token(): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const response = await fetch(new URL('/oauth/token', this.options.authUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: this.options.service,
        client_secret: this.options.secret,
      }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`service token for ${this.options.service}: auth answered ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    this.cached = { token: body.access_token, refreshAt: Date.now() + (body.expires_in - 60) * 1000 };
    return body.access_token;
  }
}

export interface GraphQLCallOptions {
  token?: string;
  /** The clinic an internal call acts for (DESIGN.md: every internal call names it). */
  clinicId?: string | null;
  requestId?: string;
  timeoutMs?: number;
}

export async function callGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  options: GraphQLCallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.clinicId) headers['x-clinicult-clinic-id'] = options.clinicId;
  if (options.requestId) headers['x-request-id'] = options.requestId;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  } | null;
  const first = body?.errors?.[0];
  if (first) throw new GraphQLError(first.message, { extensions: first.extensions ?? {} });
  if (!body?.data) throw new Error(`${url} answered ${response.status} without data`);
  return body.data;
}
