import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { IDENTITY_EVENTS, parseIdentityEvent, type IdentityEvent } from '@clinicult/contracts';
import { createEventBus, PoisonMessageError, type EventBus, type EventEnvelope, type Subscription } from '@clinicult/events';
import type { Logger } from './logger.js';
import { cutOff, factKeys, mergeFacts, stateFact, type FactUpdate } from './session-facts.js';

/**
 * The revocation facts an identity change implies, as merges (DESIGN.md: "newest wins, so no
 * rewrite can revive a revoked session"). auth writes the same facts when it applies the change to
 * its database; this is why a removed role stops working even while auth is down.
 */
export function factsOf(event: IdentityEvent): FactUpdate[] {
  switch (event.type) {
    case IDENTITY_EVENTS.membershipChanged: {
      const { userId, clinicId, endsSessions, at } = event.payload;
      return endsSessions ? [cutOff(factKeys.clinicTokensValidAfter(userId, clinicId), new Date(at))] : [];
    }
    case IDENTITY_EVENTS.userAccessChanged: {
      const { userId, active, at } = event.payload;
      const when = new Date(at);
      return [cutOff(factKeys.tokensValidAfter(userId), when), stateFact(factKeys.deactivated(userId), active ? 'ACTIVE' : 'DEACTIVATED', when)];
    }
    case IDENTITY_EVENTS.clinicAccessChanged: {
      const { clinicId, access, at } = event.payload;
      return [stateFact(factKeys.clinicStatus(clinicId), access, new Date(at))];
    }
    // auth's business (a login and its mail, where a clinic's tokens are served): no session changes
    case IDENTITY_EVENTS.clinicPlaced:
    case IDENTITY_EVENTS.invitationSent:
    case IDENTITY_EVENTS.invitationClosed:
      return [];
  }
}

/** Every service's readers of the identity stream share this group: each change is merged once per Redis. */
export const IDENTITY_FACTS_GROUP = 'session-facts';

export interface IdentityFactsConsumer {
  readonly subscription: Subscription;
  stop(): Promise<void>;
}

/**
 * The kit's facts consumer, run by every service (server.ts): applies each identity event to the
 * facts hash. Idempotent by construction (a merge of the same fact twice is a no-op), so the bus's
 * at-least-once delivery and a replayed event change nothing.
 */
export function startIdentityFacts(options: { service: string; redis: Redis; stream: string; logger: Logger; bus?: EventBus }): IdentityFactsConsumer {
  const ownBus = !options.bus;
  const bus = options.bus ?? createEventBus({ redis: options.redis, service: options.service, logger: options.logger });
  const subscription = bus.subscribe({
    stream: options.stream,
    group: IDENTITY_FACTS_GROUP,
    consumer: `${options.service}-${hostname()}-${process.pid}`,
    claimIdleMs: 5_000,
    handler: async (envelope) => {
      const event = parseIdentityEnvelope(envelope);
      if (!event) return;
      const written = await mergeFacts(options.redis, factsOf(event));
      options.logger.debug({ type: event.type, written }, 'identity fact merged');
    },
  });
  return {
    subscription,
    async stop() {
      await subscription.stop();
      if (ownBus) await bus.close();
    },
  };
}

/** An identity event that breaks its schema is parked at once: retrying cannot fix it. */
export function parseIdentityEnvelope(envelope: EventEnvelope): IdentityEvent | null {
  try {
    return parseIdentityEvent(envelope);
  } catch (error) {
    throw new PoisonMessageError(`${envelope.type} breaks its schema: ${error instanceof Error ? error.message : String(error)}`);
  }
}
