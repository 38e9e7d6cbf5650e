/**
 * Reads until `done` holds or `ms` pass, then answers the last value read (the test's own
 * expectation says what was wrong): for what arrives asynchronously, such as audit events.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
