export * from './identity.js';
export * from './visit-snapshot.js';
export * from './cluster.js';
export * from './visit-events.js';
export * from './locales.js';
