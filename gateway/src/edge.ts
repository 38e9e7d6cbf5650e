import type { Request } from 'express';
import type { Logger } from '@clinicult/kit';

/**
 * The client's address as the gateway believes it: Express's `req.ip`, which reads X-Forwarded-For
 * only from the proxies TRUST_PROXY names (none by default: the connecting peer). It is forwarded
 * to the subgraphs beside the edge token; auth's login limits count it.
 */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** How long the gateway forwards without its edge token after auth could not issue one. */
const RETRY_AFTER_MS = 5000;

/**
 * The gateway's own service token, sent as `x-clinicult-edge` on every request it forwards (kit's
 * edge.ts): it vouches for the client address and the API label beside it. Cached by the token
 * source; when auth cannot issue one, requests go on without it for a few seconds (the subgraphs then
 * see the gateway's own address and the `graphql` label) rather than each waiting on auth.
 */
export class EdgeTokens {
  private failedAt = 0;

  constructor(
    private readonly source: { token(): Promise<string> },
    private readonly logger: Logger,
  ) {}

  async current(): Promise<string | undefined> {
    if (Date.now() - this.failedAt < RETRY_AFTER_MS) return undefined;
    try {
      return await this.source.token();
    } catch (error) {
      this.failedAt = Date.now();
      this.logger.warn({ err: error }, 'no edge token from auth: forwarding without it');
      return undefined;
    }
  }
}
