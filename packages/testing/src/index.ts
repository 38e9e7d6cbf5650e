export * from './tokens.js';
export * from './graphql.js';
export * from './redis.js';
export * from './real-auth.js';
export * from './webauthn.js';
export * from './totp.js';
export * from './service-tokens.js';
