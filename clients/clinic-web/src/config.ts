/** The runtime config the web server sends as /config.js (packages/web-server). */
export interface ClinicultConfig {
  gatewayUrl: string;
  /** How often the queue board refreshes while the queue push is down, ms (default 10 s; 0: never). */
  pollIntervalMs?: number;
  /** Whether the board listens to the gateway's queue push (default true). */
  queuePush?: boolean;
  /** Minutes without use before the screen locks (default 10; IDLE_LOCK_MINUTES on the web server). */
  idleLockMinutes?: number;
}

declare global {
  interface Window {
    __CLINICULT_CONFIG__?: ClinicultConfig;
  }
}

export function runtimeConfig(): ClinicultConfig {
  const config = window.__CLINICULT_CONFIG__;
  if (!config?.gatewayUrl) throw new Error('The runtime configuration (/config.js) did not load: is the web server running?');
  return config;
}

export function graphqlEndpoint(config = runtimeConfig()): string {
  return `${config.gatewayUrl.replace(/\/+$/, '').replace(/\/graphql$/, '')}/graphql`;
}

/** The queue board's polling interval, ms; 0 turns polling off (the push alone keeps it current). */
export function pollInterval(): number {
  const value = Number(window.__CLINICULT_CONFIG__?.pollIntervalMs);
  if (value === 0) return 0;
  return Number.isFinite(value) && value >= 500 ? value : 10_000;
}

export function queuePushEnabled(): boolean {
  return window.__CLINICULT_CONFIG__?.queuePush !== false;
}

/** Minutes without use before the screen locks (runtime config; default 10, at least 6 seconds). */
export function idleLockMinutes(): number {
  const value = Number(window.__CLINICULT_CONFIG__?.idleLockMinutes);
  return Number.isFinite(value) && value >= 0.1 ? value : 10;
}
