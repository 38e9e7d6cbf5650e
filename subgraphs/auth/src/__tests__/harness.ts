import { randomUUID } from 'node:crypto';
import { identityEvent, type IdentityEventType, type IdentityPayloads } from '@clinicult/contracts';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';
import { createEventBus, type EventEnvelope } from '@clinicult/events';
import { startMailCatcher, type MailCatcher } from '@clinicult/mail-catcher';
import { gql, markSessionFactsReady, serviceTokenFromAuth, viaGateway } from '@clinicult/testing';
import type { ClinicRole } from '@clinicult/rbac';
import { loadAuthConfig, type AuthConfig } from '../config.js';
import { hashPassword } from '../passwords.js';
import { startAuthService, type AuthService, type ServiceOverrides } from '../service.js';

export const PASSWORD = 'Correct-Horse-9';

/** A real auth service on a fresh database, for one test file. */
export async function startTestAuth(env: Record<string, string> = {}, overrides: ServiceOverrides = {}) {
  const database: TestDatabase = await createTestDatabase('auth');
  await markSessionFactsReady();
  // a real SMTP server of this test file's own (addresses @bounce.test are refused, as by a real server)
  const mail: MailCatcher = await startMailCatcher({ rejectRecipients: /@bounce\.test$/ });
  const config: AuthConfig = loadAuthConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    FACTS_WARM_INTERVAL_MS: '300',
    SMTP_URL: mail.smtpUrl,
    MAIL_RELAY_INTERVAL_MS: '100',
    MAIL_RETRY_BASE_MS: '100',
    // this file's own login and reset counts in the shared Redis (earlier runs and other files count apart)
    RATE_LIMIT_KEY_PREFIX: `t:auth:${randomUUID()}:`,
    // this file's own identity stream: the changes a test publishes, and no others
    IDENTITY_STREAM: `events:identity:test:auth:${randomUUID()}`,
    ...env,
  });
  const service: AuthService = await startAuthService(config, overrides);
  const url = `${service.url}/graphql`;
  // the gateway's edge token: with it, the client address a test names is the one auth counts
  let edgeToken: string | undefined;
  async function asClient(ip: string): Promise<Record<string, string>> {
    edgeToken ??= (await serviceTokenFromAuth(service.url, 'gateway')).body.access_token!;
    return viaGateway(edgeToken, ip);
  }

  async function addUser(
    options: { memberships?: Array<{ clinicId: string; roles: ClinicRole[] }>; operator?: boolean; password?: string | null; email?: string } = {},
  ) {
    const userId = randomUUID();
    const email = options.email ?? `user-${userId.slice(0, 8)}@example.test`;
    const password = options.password === undefined ? PASSWORD : options.password;
    await service.db.credential.create({
      data: { userId, email, passwordHash: password === null ? null : await hashPassword(password), isOperator: options.operator ?? false },
    });
    for (const m of options.memberships ?? []) {
      await service.db.membership.create({ data: { userId, clinicId: m.clinicId, roles: m.roles } });
    }
    await service.facts.warm();
    return { userId, email };
  }

  const LOGIN = `mutation($email: String!, $password: String!, $clinicId: ID) {
    login(email: $email, password: $password, clinicId: $clinicId) { token expiresAt clinicId roles permissions user { id } }
  }`;

  async function login(email: string, password = PASSWORD, clinicId?: string, ip = randomIp()) {
    return gql(url, LOGIN, { email, password, clinicId }, { headers: await asClient(ip) });
  }

  /** A service token as that service asks for it (a client assertion signed with its development key). */
  async function serviceToken(clientId: string) {
    return serviceTokenFromAuth(service.url, clientId);
  }

  /**
   * An identity change as users or admin sends it (an event on the identity stream), resolved once
   * auth has applied it. Returns the envelope (a test may publish it again: a replay).
   */
  const publisher = createEventBus({ redis: service.runtime.redis, service: 'test-producer' });
  async function identity<T extends IdentityEventType>(type: T, payload: IdentityPayloads[T], replayOf?: EventEnvelope): Promise<EventEnvelope> {
    const envelope = replayOf
      ? await publisher.publish(config.IDENTITY_STREAM, { id: replayOf.id, type: replayOf.type, payload: replayOf.payload })
      : await publisher.publish(config.IDENTITY_STREAM, identityEvent(type, payload));
    if (!(await publisher.waitUntilHandled('auth', envelope.id, 5000))) throw new Error(`auth did not apply ${type}`);
    return envelope;
  }

  async function stop() {
    await publisher.close();
    await service.runtime.redis.del(config.IDENTITY_STREAM).catch(() => undefined);
    await service.stop();
    await mail.stop();
    await database.drop();
  }

  return { service, url, config, addUser, login, asClient, serviceToken, identity, stop, database, mail };
}

export function randomIp(): string {
  const octet = () => Math.floor(Math.random() * 250) + 1;
  return `10.${octet()}.${octet()}.${octet()}`;
}
