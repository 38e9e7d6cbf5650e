export { startAuthService, type AuthService, type ServiceOverrides } from './service.js';
export { loadAuthConfig, authConfigSchema, type AuthConfig } from './config.js';
export { hashPassword } from './passwords.js';
