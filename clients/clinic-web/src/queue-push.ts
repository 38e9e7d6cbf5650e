import { useEffect, useRef, useState } from 'react';
import { createParser } from 'eventsource-parser';
import { graphqlEndpoint, queuePushEnabled } from './config';

/**
 * The gateway's queue push (GET /events/queue, Server-Sent Events): "queue changed" for the
 * signed-in person's clinic. Read with fetch, not EventSource, so that the bearer token travels in
 * the Authorization header and never in a URL. While the stream is open the board need not poll;
 * when it drops, the caller polls again and the stream is retried with a growing delay.
 */
export type PushState = 'connecting' | 'live' | 'off';

const SESSION_ENDED = new Set([
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'USER_DEACTIVATED',
  'CLINIC_SUSPENDED',
  'SECOND_FACTOR_REQUIRED',
  'CLIENT_REVOKED',
]);

/** Whose stream: the bearer token, the region's API, and what to do when the server ends the session. */
export interface PushCredentials {
  token: string | null | undefined;
  apiUrl?: string | null;
  /** the session or the display's key is no longer good (reason: TOKEN_EXPIRED, SESSION_REVOKED, CLIENT_REVOKED …) */
  onEnded(reason: string): void;
}

function eventsUrl(apiUrl: string | null | undefined): string {
  return (apiUrl ?? graphqlEndpoint()).replace(/\/graphql$/, '/events/queue');
}

/** Calls `onChange` whenever the clinic's queue changed; answers whether the push is live. */
export function useQueuePush(onChange: () => void, credentials: PushCredentials): PushState {
  const [state, setState] = useState<PushState>(queuePushEnabled() ? 'connecting' : 'off');
  const callback = useRef(onChange);
  callback.current = onChange;
  const ended = useRef(credentials.onEnded);
  ended.current = credentials.onEnded;
  const { token, apiUrl } = credentials;

  useEffect(() => {
    if (!queuePushEnabled() || !token) return;
    const abort = new AbortController();
    let attempt = 0;
    let retryMs = 2000;

    async function once(): Promise<boolean> {
      const response = await fetch(eventsUrl(apiUrl), {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
        signal: abort.signal,
        cache: 'no-store',
      });
      if (response.status === 401) {
        const body = (await response.json().catch(() => null)) as { errors?: Array<{ extensions?: { reason?: string } }> } | null;
        const reason = body?.errors?.[0]?.extensions?.reason;
        if (reason && SESSION_ENDED.has(reason)) {
          ended.current(reason);
          return false;
        }
        throw new Error('queue push refused');
      }
      if (!response.ok || !response.body) throw new Error(`queue push answered ${response.status}`);
      const parser = createParser({
        onRetry: (ms) => (retryMs = ms),
        onEvent: (event) => {
          if (event.event === 'ready') {
            attempt = 0;
            setState('live');
            // whatever changed while the stream was down
            callback.current();
          } else if (event.event === 'queue') callback.current();
          else if (event.event === 'session-ended') {
            const reason = (JSON.parse(event.data) as { reason?: string }).reason;
            if (reason && SESSION_ENDED.has(reason)) ended.current(reason);
          }
        },
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
      return true;
    }

    void (async () => {
      while (!abort.signal.aborted) {
        try {
          // the session is over: a new token (a new sign-in) starts a new stream
          if (!(await once())) return;
        } catch {
          // network error or refusal: poll until the stream is back
        }
        if (abort.signal.aborted) return;
        setState('connecting');
        const delay = Math.min(30_000, retryMs * 2 ** Math.min(attempt++, 4));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    })();
    return () => abort.abort();
  }, [token, apiUrl]);

  return state;
}
