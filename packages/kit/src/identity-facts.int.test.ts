import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { identityEvent, type IdentityEventType, type IdentityPayloads } from '@clinicult/contracts';
import { createEventBus, type EventBus } from '@clinicult/events';
import { IDENTITY_FACTS_GROUP, startIdentityFacts, type IdentityFactsConsumer } from './identity-facts.js';
import { createLogger } from './logger.js';
import { cutOff, FACTS_HASH, factKeys, mergeFacts, stateFact, stateOf } from './session-facts.js';

/**
 * The kit's facts consumer over the real Redis: identity events become merged revocation facts,
 * and no write, older or replayed, can move a cut-off back or revive a suspended clinic.
 */
const logger = createLogger('kit-test', (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent');
const stream = `events:identity:test:kit:${randomUUID()}`;
let redis: Redis;
let bus: EventBus;
let consumer: IdentityFactsConsumer;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  bus = createEventBus({ redis, service: 'kit-test', logger });
  consumer = startIdentityFacts({ service: 'kit-test', redis, stream, logger });
  await consumer.subscription.ready;
});

afterAll(async () => {
  await consumer?.stop();
  await bus?.close();
  await redis?.del(stream);
  redis?.disconnect();
});

const fact = (field: string) => redis.hget(FACTS_HASH, field);

async function publish<T extends IdentityEventType>(type: T, payload: IdentityPayloads[T]): Promise<void> {
  const sent = await bus.publish(stream, identityEvent(type, payload));
  expect(await bus.waitUntilHandled(IDENTITY_FACTS_GROUP, sent.id, 5000)).toBe(true);
}

describe('mergeFacts', () => {
  test('a cut-off only moves later; a state is replaced only by a newer one; a value of the old format is replaced', async () => {
    const field = factKeys.tokensValidAfter(randomUUID());
    expect(await mergeFacts(redis, [cutOff(field, new Date(2000))])).toBe(1);
    expect(await mergeFacts(redis, [cutOff(field, new Date(1000))])).toBe(0);
    expect(await fact(field)).toBe('2000');
    expect(await mergeFacts(redis, [cutOff(field, new Date(3000))])).toBe(1);
    expect(await fact(field)).toBe('3000');

    const clinic = factKeys.clinicStatus(randomUUID());
    await redis.hset(FACTS_HASH, clinic, 'SUSPENDED'); // as written before versions existed
    await mergeFacts(redis, [stateFact(clinic, 'ACTIVE', new Date(5000))]);
    expect(await fact(clinic)).toBe('ACTIVE@5000');
    await mergeFacts(redis, [stateFact(clinic, 'SUSPENDED', new Date(4000))]);
    expect(stateOf(await fact(clinic))).toBe('ACTIVE');
    await mergeFacts(redis, [stateFact(clinic, 'SUSPENDED', new Date(6000))]);
    expect(await fact(clinic)).toBe('SUSPENDED@6000');
    await redis.hdel(FACTS_HASH, field, clinic);
  });
});

describe('the identity facts consumer', () => {
  test('a role change sets the clinic cut-off; a new membership sets none; an older event changes nothing', async () => {
    const userId = randomUUID();
    const clinicId = randomUUID();
    const field = factKeys.clinicTokensValidAfter(userId, clinicId);
    const membership = (roles: Array<'NURSE' | 'DOCTOR'>, endsSessions: boolean, at: Date) =>
      publish('membership.changed', {
        userId,
        clinicId,
        roles,
        endsSessions,
        invitationId: null,
        at: at.toISOString(),
      });
    await membership(['NURSE'], false, new Date(Date.now() - 60_000));
    expect(await fact(field)).toBeNull();
    const changedAt = new Date();
    await membership(['DOCTOR'], true, changedAt);
    expect(await fact(field)).toBe(String(changedAt.getTime()));
    await membership(['NURSE'], true, new Date(changedAt.getTime() - 1000));
    expect(await fact(field)).toBe(String(changedAt.getTime()));
    await redis.hdel(FACTS_HASH, field);
  });

  test('deactivation and suspension are versioned states: a late, older event does not undo a newer one', async () => {
    const userId = randomUUID();
    const clinicId = randomUUID();
    const t = Date.now();
    await publish('user.access.changed', { userId, active: false, at: new Date(t).toISOString() });
    expect(stateOf(await fact(factKeys.deactivated(userId)))).toBe('DEACTIVATED');
    expect(await fact(factKeys.tokensValidAfter(userId))).toBe(String(t));
    await publish('user.access.changed', { userId, active: true, at: new Date(t + 10).toISOString() });
    await publish('user.access.changed', { userId, active: false, at: new Date(t).toISOString() });
    expect(stateOf(await fact(factKeys.deactivated(userId)))).toBe('ACTIVE');

    await publish('clinic.access.changed', { clinicId, access: 'SUSPENDED', at: new Date(t + 20).toISOString() });
    await publish('clinic.access.changed', { clinicId, access: 'ACTIVE', at: new Date(t + 5).toISOString() });
    expect(stateOf(await fact(factKeys.clinicStatus(clinicId)))).toBe('SUSPENDED');
    await redis.hdel(FACTS_HASH, factKeys.deactivated(userId), factKeys.tokensValidAfter(userId), factKeys.clinicStatus(clinicId));
  });

  test('an event that breaks its schema is parked at once, and writes no fact', async () => {
    const userId = randomUUID();
    const sent = await bus.publish(stream, { type: 'user.access.changed', payload: { userId, active: 'no', at: 'yesterday' } });
    const parked = async () => ((await redis.xrange(`${stream}:parked`, '-', '+')) as Array<[string, string[]]>).map(([, f]) => f[1]);
    for (let i = 0; i < 50 && !(await parked()).includes(sent.id); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await parked()).toContain(sent.id);
    expect(await fact(factKeys.deactivated(userId))).toBeNull();
    await redis.del(`${stream}:parked`);
  });
});
