// @clinicult/web-ui: what both web apps build their screens from, consumed as source by their
// Vite builds. The template editor has its own entry point (@clinicult/web-ui/templates).
import './ui.css';
import './identity/identity.css';

// the words web-ui writes itself, in English or Spanish (UiLanguage, setUiLanguage)
export { fill, setUiLanguage, uiEn, uiEs, uiText, UiLanguage, UiLanguageContext, useUiText, type Catalogue, type UiCatalogue, type UiLanguageCode } from './i18n';

// the primitives, the one error reader, the session store
export * from './ui';
export * from './errors';
export * from './session';

// sign-in and second factors (TOTP, passkeys, recovery codes), their settings, invitations
export * from './identity/documents';
export { secondFactorChallenge, type SecondFactorChallenge } from './identity/challenge';
export { passkeysSupported, secondFactorProblem } from './identity/passkeys';
export * from './identity/invitations';
export { EnrolSecondFactor } from './identity/EnrolSecondFactor';
export { RecoveryCodes } from './identity/RecoveryCodes';
export { SecondFactorStep } from './identity/SecondFactorStep';
export { SecuritySettings } from './identity/SecuritySettings';
