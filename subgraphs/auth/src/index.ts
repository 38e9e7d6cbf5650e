export { startAuthService, type AuthService, type ServiceOverrides } from './service.js';
export { loadAuthConfig, authConfigSchema, type AuthConfig } from './config.js';
export { hashPassword } from './passwords.js';
export { createOperator, createOperatorFromEnvironment, type CreatedOperator, type CreateOperatorInput } from './operators.js';
