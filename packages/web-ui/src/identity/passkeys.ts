import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { plainMessage } from '../errors';
import { uiText } from '../i18n';

/** The browser's side of passkeys (WebAuthn), through @simplewebauthn/browser. */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

export function answerPasskeyRequest(options: unknown) {
  return startAuthentication({ optionsJSON: options as Parameters<typeof startAuthentication>[0]['optionsJSON'] });
}

export function createPasskey(options: unknown) {
  return startRegistration({ optionsJSON: options as Parameters<typeof startRegistration>[0]['optionsJSON'] });
}

/** A failed second-factor step in plain words: the browser's WebAuthn refusals, else the request's. */
export function secondFactorProblem(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError') return uiText().passkeys.cancelled;
  if (name === 'InvalidStateError') return uiText().passkeys.alreadyRegistered;
  return plainMessage(error);
}
