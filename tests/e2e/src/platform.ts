import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { loadAdminConfig, startAdminService } from '@clinicult/admin-service';
import { loadAuthConfig, startAuthService } from '@clinicult/auth-service';
import { loadGatewayConfig, startGateway } from '@clinicult/gateway';
import { loadUsersConfig, startUsersService } from '@clinicult/users-service';
import { freePort, gql, type GraphQLResponse } from '@clinicult/testing';
// The demo seed is plain ESM (scripts/seed.mjs): the same code `npm start` runs.
// @ts-expect-error -- untyped .mjs module
import { seedDemo, demoPassword, DEMO } from '../../../scripts/seed.mjs';

export interface Platform {
  gatewayUrl: string;
  urls: { auth: string; users: string; admin: string };
  password: string;
  demo: typeof DEMO;
  clinicId: string;
  services: { auth: Awaited<ReturnType<typeof startAuthService>> };
  login(email: string, clinicId?: string): Promise<{ token: string; clinicId: string | null; roles: string[]; permissions: string[]; userId: string }>;
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/**
 * The whole platform of this issue for one test file: auth, users, admin and the gateway, each a
 * real HTTP server on its own fresh database, seeded with the demo through the gateway exactly as
 * `npm start` does.
 */
export async function startPlatform(): Promise<Platform> {
  const databases: Record<'auth' | 'users' | 'admin', TestDatabase> = {
    auth: await createTestDatabase('auth'),
    users: await createTestDatabase('users'),
    admin: await createTestDatabase('admin'),
  };
  const ports = { auth: await freePort(), users: await freePort(), admin: await freePort(), gateway: await freePort() };
  const urls = {
    auth: `http://127.0.0.1:${ports.auth}`,
    users: `http://127.0.0.1:${ports.users}`,
    admin: `http://127.0.0.1:${ports.admin}`,
  };
  const common = { NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_URL: urls.auth, USERS_URL: urls.users, ADMIN_URL: urls.admin };
  const auth = await startAuthService(
    loadAuthConfig({ ...common, PORT: String(ports.auth), DATABASE_URL: databases.auth.url, FACTS_WARM_INTERVAL_MS: '500' }),
  );
  const users = await startUsersService(loadUsersConfig({ ...common, PORT: String(ports.users), DATABASE_URL: databases.users.url }));
  const admin = await startAdminService(loadAdminConfig({ ...common, PORT: String(ports.admin), DATABASE_URL: databases.admin.url }));
  const gateway = await startGateway(loadGatewayConfig({ ...common, PORT: String(ports.gateway) }));
  const gatewayUrl = `${gateway.url}/graphql`;

  const env = { NODE_ENV: 'test', DATABASE_URL_AUTH: databases.auth.url, DATABASE_URL_USERS: databases.users.url };
  await seedDemo({ gatewayUrl: gateway.url, env });
  await auth.facts.warm(); // the operator was bootstrapped straight into auth's database
  const password: string = demoPassword(env);

  const LOGIN = `mutation($email: String!, $password: String!, $clinicId: ID) {
    login(email: $email, password: $password, clinicId: $clinicId) { token clinicId roles permissions user { id } }
  }`;
  async function login(email: string, clinicId?: string) {
    const response = await gql(gatewayUrl, LOGIN, { email, password, clinicId });
    if (!response.data?.login) throw new Error(`login ${email}: ${JSON.stringify(response.errors)}`);
    const { token, roles, permissions, user } = response.data.login;
    return { token, clinicId: response.data.login.clinicId, roles, permissions, userId: user.id };
  }
  const adminLogin = await login(DEMO.admin.email);

  return {
    gatewayUrl,
    urls,
    password,
    demo: DEMO,
    clinicId: adminLogin.clinicId!,
    services: { auth },
    login,
    query: (query, variables = {}, token) => gql(gatewayUrl, query, variables, token ? { token } : {}),
    async stop() {
      await gateway.stop();
      await admin.stop();
      await users.stop();
      await auth.stop();
      await Promise.all(Object.values(databases).map((d) => d.drop()));
    },
  };
}
