import { GraphQLError } from 'graphql';
import type { BaseConfig } from './config.js';
import { CLIENT_ASSERTION_TYPE, loadServiceKey, signClientAssertion, type ServiceKey } from './service-keys.js';

export interface ServiceTokenSourceOptions {
  authUrl: string;
  key: ServiceKey;
  /** auth's issuer (JWT_ISSUER): the audience of the client assertions */
  audience: string;
  timeoutMs?: number;
}

/**
 * Service-to-service calls: a client-credentials token from auth, asked for with a signed client
 * assertion (private_key_jwt, RFC 7523) and cached until shortly before it expires; and a small
 * GraphQL client that keeps the remote error codes.
 */
export class ServiceTokenSource {
  private cached: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(private readonly options: ServiceTokenSourceOptions) {}

  /** `service`'s token source from its configuration (SERVICE_KEY, AUTH_URL, JWT_ISSUER). */
  static forService(service: string, config: BaseConfig, timeoutMs?: number): ServiceTokenSource {
    return new ServiceTokenSource({ authUrl: config.AUTH_URL, key: loadServiceKey(service, config), audience: config.JWT_ISSUER, timeoutMs });
  }

  get service(): string {
    return this.options.key.service;
  }

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
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.service,
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: await signClientAssertion(this.options.key, this.options.audience),
      }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`service token for ${this.service}: auth answered ${response.status}`);
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
