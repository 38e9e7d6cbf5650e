export { loadWebConfig, WebConfigError, type WebConfig } from './config.js';
export {
  configScript,
  CONFIG_GLOBAL,
  createWebApp,
  cspDirectives,
  gatewayOrigin,
  startWebServer,
  type RuntimeConfig,
  type WebServer,
  type WebServerOptions,
} from './server.js';
