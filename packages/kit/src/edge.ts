import type express from 'express';
import { SERVICE_CAPABILITIES } from '@clinicult/rbac';
import type { Logger } from './logger.js';
import type { TokenVerifier } from './tokens.js';

/**
 * The edge hop (DESIGN.md): the gateway sends its own service token in this header on every request
 * it forwards. Only a request carrying a valid one is believed about what the gateway alone knows:
 * the client's address (`x-forwarded-for`, which auth's login limits count) and the API it came
 * through (`x-clinicult-api`, which the audit trail records). Anyone else who reaches a subgraph may
 * send those headers; they are ignored.
 */
export const EDGE_HEADER = 'x-clinicult-edge';

/** Verifies edge tokens (the TokenVerifier remembers a good one until it expires: one gateway token serves ~15 min of requests). */
export class EdgeVerifier {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly logger: Logger,
  ) {}

  /** Whether `token` is a current service token of auth's issuer holding the edge capability. */
  async verify(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    try {
      const { caller } = await this.verifier.verify(token);
      if (caller.kind !== 'service' || !caller.permissions.includes(SERVICE_CAPABILITIES.edge)) {
        this.logger.warn({ caller: caller.kind === 'service' ? caller.service : caller.kind }, 'an edge token without the edge capability');
        return false;
      }
      return true;
    } catch (error) {
      this.logger.warn({ reason: (error as { reason?: string }).reason ?? String(error) }, 'edge token refused');
      return false;
    }
  }
}

/**
 * The client's address: what the gateway forwarded when the request came over the edge hop,
 * otherwise the peer that connected (whatever `x-forwarded-for` it sent).
 */
export function clientIp(req: express.Request, viaEdge: boolean): string {
  const forwarded = viaEdge ? req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  return forwarded || req.socket.remoteAddress || 'unknown';
}
