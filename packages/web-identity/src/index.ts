import './identity.css';

export * from './documents';
export * from './errors';
export { EnrolSecondFactor } from './EnrolSecondFactor';
export { RecoveryCodes } from './RecoveryCodes';
export { SecondFactorStep } from './SecondFactorStep';
export { SecuritySettings } from './SecuritySettings';
export { passkeysSupported } from './passkeys';
export * from './invitations';
