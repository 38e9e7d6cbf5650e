/** The runtime config the web server serves at /config.js (window.__CLINICULT_CONFIG__). */
export interface RuntimeConfig {
  /** the gateway's GraphQL endpoint (the runtime config names the gateway's base URL) */
  gatewayUrl: string;
  /** the clusters a new clinic may be placed in (admin's CLUSTERS; the first is the default) */
  clusters: string[];
}

declare global {
  interface Window {
    __CLINICULT_CONFIG__?: Partial<RuntimeConfig> & Record<string, unknown>;
  }
}

const DEFAULT_CLUSTERS = ['eu-1', 'us-1'];

/** The gateway's base URL (http://host:4000, as the web server sends it) → its /graphql endpoint. */
export function graphqlEndpoint(gatewayUrl: string, base: string): string {
  const url = new URL(gatewayUrl, base);
  if (!url.pathname.endsWith('/graphql')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/graphql`;
  return url.href;
}

export function loadRuntimeConfig(): RuntimeConfig {
  const raw: Record<string, unknown> = window.__CLINICULT_CONFIG__ ?? {};
  const gatewayUrl = typeof raw.gatewayUrl === 'string' && raw.gatewayUrl !== '' ? raw.gatewayUrl : 'http://127.0.0.1:4000';
  const listed = raw.clusters;
  const clusters =
    Array.isArray(listed) && listed.length > 0 && listed.every((c): c is string => typeof c === 'string')
      ? listed
      : typeof listed === 'string' && listed.trim() !== ''
        ? listed.split(',').map((c) => c.trim()).filter(Boolean)
        : DEFAULT_CLUSTERS;
  return { gatewayUrl: graphqlEndpoint(gatewayUrl, window.location.href), clusters };
}
