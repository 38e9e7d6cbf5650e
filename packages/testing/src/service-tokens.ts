import { CLIENT_ASSERTION_TYPE, devServiceKey, EDGE_HEADER, signClientAssertion, type ServiceKey } from '@clinicult/kit';
import { TEST_ISSUER } from './tokens.js';

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; expires_in?: number; scope?: string; error?: string };
}

/** One POST to auth's token endpoint with these form fields (the attacks on it send anything). */
export async function tokenRequest(authUrl: string, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(new URL('/oauth/token', authUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

/**
 * A service token from a real auth, asked for the way the services do (a private_key_jwt client
 * assertion signed with the service's development key, kit's service-keys.ts).
 */
export async function serviceTokenFromAuth(
  authUrl: string,
  service: string,
  options: { key?: ServiceKey; audience?: string } = {},
): Promise<TokenAnswer> {
  const key = options.key ?? devServiceKey(service);
  return tokenRequest(authUrl, {
    grant_type: 'client_credentials',
    client_id: service,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await signClientAssertion(key, options.audience ?? TEST_ISSUER),
  });
}

/**
 * The headers the gateway sends a subgraph for a client at `ip`: its edge token vouches for the
 * address (without it a subgraph ignores `x-forwarded-for`).
 */
export function viaGateway(edgeToken: string, ip: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [EDGE_HEADER]: edgeToken, 'x-forwarded-for': ip, ...extra };
}
