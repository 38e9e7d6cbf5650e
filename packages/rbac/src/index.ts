export * from './permissions.js';
export * from './roles.js';
export * from './services.js';
export * from './caller.js';
export * from './shield.js';
export * from './public-operations.js';
export * from './smart-scopes.js';
