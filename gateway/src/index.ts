export { startGateway, type GatewayOverrides, type RunningGateway } from './service.js';
export { loadGatewayConfig, gatewayConfigSchema, SUBGRAPH_NAMES, type GatewayConfig } from './config.js';
export { subgraphEndpoints, readSupergraph, defaultSupergraphPath, type SubgraphEndpoint } from './subgraphs.js';
export type { GatewayContext } from './context.js';
