import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** A Server-Sent Events stream read as the staff app reads it: fetch with the bearer token in Authorization. */
export interface OpenEventStream {
  status: number;
  /** the JSON body of a refusal (the stream did not open) */
  refusal?: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  /** every event so far, in order */
  events: EventSourceMessage[];
  /** Resolves with the `count`-th event of this type (1: the first), or rejects after timeoutMs. */
  next(type: string, timeoutMs?: number, count?: number): Promise<EventSourceMessage>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEventStream(url: string, token?: string): Promise<OpenEventStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: abort.signal,
  });
  const events: EventSourceMessage[] = [];
  const listeners = new Set<() => void>();
  if (!response.ok || !response.body) {
    return {
      status: response.status,
      refusal: (await response.json().catch(() => undefined)) as OpenEventStream['refusal'],
      events,
      next: () => Promise.reject(new Error(`the stream did not open (${response.status})`)),
      ended: Promise.resolve(),
      close: () => abort.abort(),
    };
  }
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      for (const listener of listeners) listener();
    },
  });
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by close()
    }
  })();
  const next = (type: string, timeoutMs = 5000, count = 1) =>
    new Promise<EventSourceMessage>((resolve, reject) => {
      const check = () => {
        const found = events.filter((e) => (e.event ?? 'message') === type);
        if (found.length < count) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(found[count - 1]!);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no "${type}" event #${count} within ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ') || 'none'}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { status: response.status, events, next, ended, close: () => abort.abort() };
}
