import type { Caller } from '@clinicult/rbac';
import type { Logger } from '@clinicult/kit';

/** What the gateway knows about one request; the data sources forward `authorization` and `requestId`. */
export interface GatewayContext {
  caller: Caller;
  requestId: string;
  /** The caller's Authorization header, already verified, forwarded as is. */
  authorization?: string;
  logger: Logger;
}
