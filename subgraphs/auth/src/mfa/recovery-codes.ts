import { createHash, randomInt } from 'node:crypto';

/**
 * One-time recovery codes for a lost authenticator: ten of them, shown once when the first second
 * factor is enrolled (or regenerated), stored as sha256 only. `ABCDE-12345`-like, from an alphabet
 * without look-alikes; typing them in lower case or without the dash works too.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`clinicult-recovery:${normalizeRecoveryCode(code)}`).digest('hex');
}
