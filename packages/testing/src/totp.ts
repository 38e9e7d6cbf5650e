import { Secret, TOTP } from 'otpauth';

/**
 * An authenticator app for tests: the codes for a TOTP secret (base32), never the same step twice
 * (the server accepts each 30-second code once), waiting for the next step when it must.
 */
export function createTotpApp(base32Secret: string) {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(base32Secret) });
  let lastStep = -1;
  return {
    secret: base32Secret,
    /**
     * A code the server has not seen yet. The server accepts one step either side of its clock, so
     * this takes the current step or the next one; only a third code within one step waits (≤ 30 s).
     */
    async nextCode(): Promise<string> {
      let current = Math.floor(Date.now() / 30_000);
      if (lastStep > current) {
        await new Promise((resolve) => setTimeout(resolve, (lastStep) * 30_000 - Date.now() + 50));
        current = Math.floor(Date.now() / 30_000);
      }
      const step = Math.max(current, lastStep + 1);
      lastStep = step;
      return totp.generate({ timestamp: step * 30_000 });
    },
    /** Some code that is wrong now (for the unhappy paths). */
    wrongCode(): string {
      const right = totp.generate();
      return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    },
  };
}
export type TotpApp = ReturnType<typeof createTotpApp>;
