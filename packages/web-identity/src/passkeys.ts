import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';

/** The browser's side of passkeys (WebAuthn), through @simplewebauthn/browser. */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

export function answerPasskeyRequest(options: unknown) {
  return startAuthentication({ optionsJSON: options as Parameters<typeof startAuthentication>[0]['optionsJSON'] });
}

export function createPasskey(options: unknown) {
  return startRegistration({ optionsJSON: options as Parameters<typeof startRegistration>[0]['optionsJSON'] });
}
