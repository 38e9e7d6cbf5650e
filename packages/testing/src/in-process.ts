import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@clinicult/db';

/**
 * Building blocks of the harnesses that run a service in-process for a test: the service's own
 * package (its single-service tests) and tests/services (several real services, each started by
 * package name) use the same ones.
 */

/** A service started in-process on a database of its own; `stop` stops it and drops the database (once). */
export interface InProcess<S> {
  service: S;
  /** the service's base URL */
  url: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

/**
 * Creates a fresh migrated database for `name` (unless the test brings one), starts the service on
 * it and drops the database again when the start fails or the service is stopped.
 */
export async function inProcess<S extends { url: string; stop(): Promise<void> }>(
  name: string,
  start: (databaseUrl: string) => Promise<S>,
  database?: TestDatabase,
): Promise<InProcess<S>> {
  const db = database ?? (await createTestDatabase(name));
  let service: S;
  try {
    service = await start(db.url);
  } catch (error) {
    await db.drop();
    throw error;
  }
  let stopped: Promise<void> | null = null;
  return {
    service,
    url: service.url,
    database: db,
    stop: () => (stopped ??= service.stop().then(() => db.drop())),
  };
}

/** A destination for a JSON logger (pino's) whose lines the test reads back, parsed. */
export function jsonLines(): { stream: Writable; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

/** The SQL a service sends (its `onQuery` hook), the event outbox relay's polling left out. */
export function queryLog(): { queries: string[]; onQuery(sql: string): void } {
  const queries: string[] = [];
  return {
    queries,
    onQuery: (sql) => {
      if (!sql.includes('event_outbox')) queries.push(sql);
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Probes until `done` holds, failing after `timeoutMs` with the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await sleep(50);
  }
}
