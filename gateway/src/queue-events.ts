import { QUEUE_CHANGING_EVENTS } from '@clinicult/contracts';
import { followStream, type EventEnvelope, type StreamFollower } from '@clinicult/events';
import { AuthError, type Logger } from '@clinicult/kit';
import { hasPermission, type Caller } from '@clinicult/rbac';
import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';

/**
 * The queue push (issue 17): `GET /events/queue` is a Server-Sent Events stream that says "queue
 * changed" to the open queue boards of one clinic — the caller's — within about a second of any
 * change, so the staff app reads the queue when something happened instead of polling it.
 *
 * - Who: a token read from `Authorization` (clients read the stream with fetch, so the bearer token
 *   never travels in a URL), verified as every request is (signature, claims, session facts), of a
 *   caller that may read the queue (`visit:read`), or a waiting-room display (`display:read`).
 * - What: `event: queue` with `{"at": …}` only; never patient data, so a leak of the stream says
 *   nothing but "something changed". The board then asks the API, which checks everything again.
 * - Fed by patients' visit events (visit.checked_in, visit.changed) on the cluster's visits stream,
 *   followed without a consumer group so every gateway replica hears every change.
 * - The session is checked again every `recheckMs` (≤ 30 s): a revoked session, a suspended clinic,
 *   an expired token end the stream with `event: session-ended` and the reason.
 * - Bursts are coalesced per clinic (one push per `coalesceMs`), a comment line every `heartbeatMs`
 *   keeps proxies from closing an idle stream, and each user may hold `maxPerUser` streams.
 */
export interface QueueEventsOptions {
  authenticate: (authorization: string | undefined) => Promise<Caller>;
  /** a connection of its own: the follower's XREAD BLOCK holds it */
  redis: Redis;
  stream: string;
  recheckMs: number;
  heartbeatMs: number;
  coalesceMs: number;
  maxPerUser: number;
  logger: Logger;
  onAuthFailure?: (reason: string) => void;
}

export interface QueueEvents {
  handler: RequestHandler;
  /** open streams now (tests, metrics) */
  connections(): number;
  /** Resolves once the follower reads the stream. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Staff who read the queue, and a waiting-room display (a registered client with display:read). */
export const QUEUE_READ = 'clinicult:visit:read';
export const DISPLAY_READ = 'clinicult:display:read';

interface Connection {
  res: Response;
  clinicId: string;
  owner: string;
}

function callerKey(caller: Caller): { clinicId: string; owner: string } | null {
  if (caller.kind === 'staff' && hasPermission(caller.permissions, QUEUE_READ)) return { clinicId: caller.clinicId, owner: caller.userId };
  if (caller.kind === 'client' && hasPermission(caller.permissions, DISPLAY_READ)) return { clinicId: caller.clinicId, owner: `client:${caller.clientId}` };
  return null;
}

function send(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** A refusal before the stream opens: a JSON body like the API's errors, with the status. */
function refuse(res: Response, status: number, code: string, message: string, reason?: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...(reason ? { reason } : {}) } }] });
}

export function queueEvents(options: QueueEventsOptions): QueueEvents {
  const byClinic = new Map<string, Set<Connection>>();
  const perOwner = new Map<string, number>();
  const pending = new Map<string, NodeJS.Timeout>();
  const lastPush = new Map<string, number>();

  function push(clinicId: string): void {
    const connections = byClinic.get(clinicId);
    lastPush.set(clinicId, Date.now());
    if (!connections) return;
    const at = new Date().toISOString();
    for (const connection of connections) send(connection.res, 'queue', { at });
  }

  /** At most one push per clinic per coalesceMs: the first at once, the rest folded into one after. */
  function changed(clinicId: string): void {
    if (!byClinic.has(clinicId) || pending.has(clinicId)) return;
    const wait = (lastPush.get(clinicId) ?? 0) + options.coalesceMs - Date.now();
    if (wait <= 0) return push(clinicId);
    pending.set(
      clinicId,
      setTimeout(() => {
        pending.delete(clinicId);
        push(clinicId);
      }, wait),
    );
  }

  const follower: StreamFollower = followStream(options.redis, {
    stream: options.stream,
    logger: options.logger,
    onEvent: (envelope: EventEnvelope) => {
      if (!QUEUE_CHANGING_EVENTS.includes(envelope.type) || !envelope.clinicId) return;
      changed(envelope.clinicId);
    },
  });

  function remove(connection: Connection): void {
    const set = byClinic.get(connection.clinicId);
    set?.delete(connection);
    if (set && set.size === 0) {
      byClinic.delete(connection.clinicId);
      lastPush.delete(connection.clinicId);
      clearTimeout(pending.get(connection.clinicId));
      pending.delete(connection.clinicId);
    }
    const count = (perOwner.get(connection.owner) ?? 1) - 1;
    if (count <= 0) perOwner.delete(connection.owner);
    else perOwner.set(connection.owner, count);
  }

  async function authenticate(authorization: string | undefined): Promise<{ caller: Caller } | { reason: string; message: string }> {
    try {
      return { caller: await options.authenticate(authorization) };
    } catch (error) {
      if (error instanceof AuthError) {
        options.onAuthFailure?.(error.reason);
        return { reason: error.reason, message: error.message };
      }
      throw error;
    }
  }

  const handler: RequestHandler = async (req: Request, res: Response, next) => {
    try {
      const authorization = req.header('authorization') || undefined;
      if (!authorization) return refuse(res, 401, 'UNAUTHENTICATED', 'Sign in first: the queue push needs a valid access token.', 'TOKEN_INVALID');
      const first = await authenticate(authorization);
      if ('reason' in first) return refuse(res, first.reason === 'WRONG_REGION' ? 421 : 401, 'UNAUTHENTICATED', first.message, first.reason);
      const key = callerKey(first.caller);
      if (!key) return refuse(res, 403, 'FORBIDDEN', 'The queue push needs clinicult:visit:read (clinic staff) or clinicult:display:read (a waiting-room display).');
      if ((perOwner.get(key.owner) ?? 0) >= options.maxPerUser) {
        return refuse(res, 429, 'TOO_MANY_REQUESTS', `At most ${options.maxPerUser} queue streams per person: close another tab or screen first.`);
      }

      res.status(200);
      res.setHeader('content-type', 'text/event-stream; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      // nginx and friends: do not buffer the stream
      res.setHeader('x-accel-buffering', 'no');
      res.flushHeaders();
      req.socket.setNoDelay(true);
      req.socket.setKeepAlive(true);

      const connection: Connection = { res, clinicId: key.clinicId, owner: key.owner };
      if (!byClinic.has(key.clinicId)) byClinic.set(key.clinicId, new Set());
      byClinic.get(key.clinicId)!.add(connection);
      perOwner.set(key.owner, (perOwner.get(key.owner) ?? 0) + 1);
      // the client reconnects after this long if the stream drops (SSE's `retry`)
      res.write(`retry: 2000\n\n`);
      send(res, 'ready', { recheckMs: options.recheckMs });

      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
      const recheck = setInterval(() => {
        void authenticate(authorization).then(
          (again) => {
            if ('reason' in again) {
              send(res, 'session-ended', { reason: again.reason, message: again.message });
              res.end();
            }
          },
          (error) => options.logger.warn({ err: error }, 'queue push: session check failed'),
        );
      }, options.recheckMs);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(recheck);
        remove(connection);
      };
      res.on('close', close);
      res.on('finish', close);
    } catch (error) {
      next(error);
    }
  };

  return {
    handler,
    connections: () => [...byClinic.values()].reduce((n, set) => n + set.size, 0),
    ready: follower.ready,
    async close() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      for (const set of byClinic.values()) for (const connection of set) connection.res.end();
      await follower.stop();
    },
  };
}
