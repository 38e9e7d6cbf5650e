export { startUsersService, type RunningUsersService, type UsersOverrides } from './service.js';
export { loadUsersConfig, usersConfigSchema, type UsersConfig } from './config.js';
export { createDb, type UsersDb } from './db.js';
export type { AuthClient, AuthCallContext, ClinicDirectory } from './domain/ports.js';
