export {
  createEnvelope,
  doneKey,
  isEnvelope,
  parkedStream,
  parseStreamFields,
  toStreamFields,
  type EventEnvelope,
  type NewEvent,
} from './envelope.js';
export {
  OUTBOX_TABLE,
  OUTBOX_TABLE_SQL,
  createMemoryOutbox,
  createPrismaOutbox,
  type OutboxRow,
  type OutboxStore,
  type SqlClient,
} from './outbox.js';
export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type EventBusStats,
  type OutboxRelay,
} from './bus.js';
export {
  PoisonMessageError,
  type BatchContext,
  type BatchHandler,
  type EventHandler,
  type HandlerContext,
  type SubscribeOptions,
  type Subscription,
} from './subscription.js';
export { backoffMs, createRelayLoop, type RelayLoop, type RelayLoopOptions } from './loop.js';
export {
  createLeasedRelay,
  describeError,
  type DeliveryOutcome,
  type DrainResult,
  type LeasedOutboxStats,
  type LeasedRelay,
  type LeasedRelayOptions,
  type LeasedRelayTiming,
  type LeasedRow,
  type TransactionalSqlClient,
} from './leased-relay.js';
export { TimeoutError, type EventsLogger, type MetricHook } from './util.js';
export { followStream, type FollowOptions, type StreamFollower } from './follow.js';
