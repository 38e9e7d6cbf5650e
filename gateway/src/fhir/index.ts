export { fhirRouter, type FhirRouterOptions } from './router.js';
export { apolloExecutor, type Execute, type FhirCaller } from './graphql.js';
