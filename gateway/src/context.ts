import type { Caller } from '@clinicult/rbac';
import type { AuditApi, Logger } from '@clinicult/kit';

/** What the gateway knows about one request; the data sources forward `authorization` and `requestId`. */
export interface GatewayContext {
  caller: Caller;
  requestId: string;
  /** The caller's Authorization header, already verified, forwarded as is. */
  authorization?: string;
  /** The client's address, forwarded as `x-forwarded-for` (auth limits failed logins per address). */
  clientIp?: string;
  /**
   * A token minted by this very request (`login`, `acceptInvitation`, `switchClinic`): later fetches
   * of the same plan (e.g. `login { user { memberships } }` from users) act as the new session.
   */
  issuedAuthorization?: string;
  /** Which API the request came through (FHIR requests run through the supergraph too): forwarded for the audit trail. */
  api?: AuditApi;
  logger: Logger;
}
