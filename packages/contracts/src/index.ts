export * from './identity.js';
export * from './visit-snapshot.js';
export * from './cluster.js';
