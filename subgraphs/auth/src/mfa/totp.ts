import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** TOTP (RFC 6238) as every authenticator app does it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;

function totpFor(base32Secret: string, label = 'Clinicult'): TOTP {
  return new TOTP({ issuer: 'Clinicult', label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(base32Secret) });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export async function enrolmentOf(base32Secret: string, email: string) {
  const otpauthUrl = totpFor(base32Secret, email).toString();
  return {
    secret: base32Secret,
    otpauthUrl,
    // a picture the authenticator app scans; an SVG data URL (the web apps' CSP allows data: images)
    qrCodeDataUrl: `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(otpauthUrl, { type: 'svg', margin: 1 })).toString('base64')}`,
  };
}

/**
 * The 30-second step a code belongs to (the current one, or one step either side for clock
 * drift), or null when it is wrong. Callers refuse a step at or before the last one used, so a
 * code works once.
 */
export function matchingStep(base32Secret: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(base32Secret).validate({ token, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** The current code (tests and the demo's `npm run demo:otp`). */
export function currentCode(base32Secret: string, now = Date.now()): string {
  return totpFor(base32Secret).generate({ timestamp: now });
}
