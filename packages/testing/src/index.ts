export * from './tokens.js';
export * from './graphql.js';
export * from './redis.js';
export * from './real-auth.js';
