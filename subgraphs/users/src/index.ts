export { startUsersService, type RunningUsersService, type UsersOverrides } from './service.js';
export { loadUsersConfig, usersConfigSchema, type UsersConfig } from './config.js';
export { createDb, type UsersDb } from './db.js';
export type { AuthClient, AuthCallContext, InvitationMail } from './auth-client.js';
export type { ClinicDirectory } from './clinics.js';
export { staticClinicDirectory } from './clinics.js';
