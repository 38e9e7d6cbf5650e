import { createContext, createElement, useContext, type ReactNode } from 'react';

// The words web-ui writes itself, in each language the apps speak. English is the catalogue every
// other language follows key by key (`UiCatalogue`: a missing or extra key is a compile error).
// An app that speaks only English (admin-web) does nothing: English is the default. One that
// speaks more (clinic-web) wraps its screens in <UiLanguage language=…> and calls setUiLanguage
// where it applies its language (the words written outside React: error texts, checks, labels).
// `{{name}}` in a text is filled by fill().

/** The shape every language's catalogue has: the same keys as English's, each a string. */
export type Catalogue<T> = { [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]> };

export const uiEn = {
  /** ui.tsx's primitives */
  common: {
    loading: 'Loading',
    working: 'Working…',
    cancel: 'Cancel',
  },
  /** errors.ts: a refusal in plain words */
  errors: {
    network: 'Cannot reach the Clinicult server. Check the connection and try again.',
    serverFault: 'Something went wrong on our side. Please try again in a moment.',
    notAllowed: 'You are not allowed to do this.',
    unknown: 'Something went wrong. Try again.',
    wrongCredentials: 'The email or password is not correct.',
  },
  /** errors.ts: why a session ended (SESSION_REASONS, sessionReasonText) */
  sessionReasons: {
    CLINIC_SUSPENDED: 'Your clinic has been suspended, so you have been signed out. Please contact your clinic administrator or Clinicult support.',
    SESSION_REVOKED: 'Your session was ended: you signed out elsewhere, or your password or access changed. Please sign in again.',
    USER_DEACTIVATED: 'Your account has been deactivated, so you have been signed out. Ask your administrator if you think this is a mistake.',
    TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
    TOKEN_INVALID: 'Your session is no longer valid. Please sign in again.',
    PASSWORD_CHANGED: 'Your password was changed and every session ended. Sign in with your new password.',
    SECOND_FACTOR_REQUIRED: 'A second factor (an authenticator app or a passkey) is now required. Sign in again to set one up.',
    SIGNED_OUT: 'You have signed out.',
  },
  /** identity/invitations.ts */
  invitations: {
    status: {
      PENDING: 'Waiting for an answer',
      ACCEPTED: 'Accepted',
      DECLINED: 'Declined',
      EXPIRED: 'Expired',
      REVOKED: 'Withdrawn',
      NOT_DELIVERED: 'Not delivered',
    },
    passwordTooShort: 'Choose a password of at least {{min}} characters.',
    passwordsDiffer: 'The two passwords are not the same.',
  },
  /** identity/passkeys.ts: the browser's WebAuthn refusals */
  passkeys: {
    cancelled: 'The passkey request was cancelled or timed out. Try again.',
    alreadyRegistered: 'This device already holds a passkey for this account.',
  },
  /** identity/EnrolSecondFactor.tsx */
  enrol: {
    codeFormat: 'Enter the 6-digit code the app shows now.',
    defaultPasskeyName: 'Passkey',
    savedContinue: 'I have saved them — continue',
    totpTitle: 'Set up your authenticator app',
    totpStep1: 'Open an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …) and add an account.',
    totpStep2: 'Scan this code, or type the key by hand.',
    qrAlt: 'QR code to add Clinicult to an authenticator app',
    key: 'Key',
    keyLabel: 'Key for the authenticator app',
    totpStep3: 'Enter the 6-digit code the app shows.',
    codeLabel: 'Code from the app',
    checking: 'Checking…',
    turnOn: 'Turn on',
    back: 'Back',
    totpOption: 'Authenticator app',
    totpOptionHelp: 'A 6-digit code from an app on your phone, new every 30 seconds.',
    totpOptionStart: 'Set up an authenticator app',
    passkeyOption: 'Passkey',
    passkeyOptionHelp: 'This device (fingerprint, face, PIN) or a security key confirms it is you.',
    passkeyName: 'Name of the passkey',
    passkeyNamePlaceholder: 'e.g. Reception laptop',
    saving: 'Saving…',
    createPasskey: 'Create a passkey',
    cancel: 'Cancel',
  },
  /** identity/RecoveryCodes.tsx */
  recoveryCodes: {
    title: 'Your recovery codes',
    intro:
      'If you lose your authenticator or passkey, each of these codes signs you in once. Keep them somewhere safe — they are shown only now.',
    listLabel: 'Recovery codes',
    copied: 'Copied',
    copy: 'Copy the codes',
    done: 'I have saved them',
  },
  /** identity/SecondFactorStep.tsx */
  secondFactor: {
    enterCode: 'Enter the 6-digit code your authenticator app shows.',
    enterRecoveryCode: 'Enter one of your recovery codes.',
    signInAgain: 'Sign in again',
    intro: 'Your account is protected by a second factor.',
    usePasskey: 'Use your passkey',
    codeLabel: 'Code from your authenticator app',
    recoveryCodeLabel: 'Recovery code',
    recoveryCodeHelp: 'One of the codes you saved when you set up your second factor. Each works once.',
    checking: 'Checking…',
    continue: 'Continue',
    useRecoveryCode: 'Use a recovery code instead',
    useApp: 'Use the authenticator app',
    restart: 'Cancel and start again',
  },
  /** identity/SecuritySettings.tsx */
  security: {
    enrolled: 'Signing in asks for your password and one of these.',
    notEnrolled: 'Add a second factor so that a password alone cannot open your account.',
    mustKeepOne: 'Your account must keep at least one.',
    caption: 'Second factors',
    app: 'Authenticator app',
    on: 'On',
    notSetUp: 'Not set up',
    remove: 'Remove',
    passkey: 'Passkey “{{name}}”',
    lastUsed: 'last used {{when}}',
    never: 'never',
    recoveryCodes: 'Recovery codes',
    codesLeft: '{{count}} left',
    newCodes: 'New codes',
    removeTotp: 'Remove the authenticator app? Enter your password to confirm.',
    removePasskey: 'Remove the passkey “{{name}}”? Enter your password to confirm.',
    password: 'Password',
    keep: 'Keep it',
    addPasskey: 'Add a passkey',
    addSecondFactor: 'Add a second factor',
  },
  /** templates/: the editor (TemplateBuilder) and its checks (form.ts) */
  templates: {
    fieldTypes: {
      TEXT: 'Text',
      NUMBER: 'Number',
      CHOICE: 'One choice',
      MULTI_CHOICE: 'Several choices',
      DATE: 'Date',
      BOOLEAN: 'Yes / no',
    },
    kinds: {
      INTAKE: 'Intake (the nurse’s form in triage)',
      NOTE: 'Note (the doctor’s form in consultation)',
    },
    builder: {
      legend: 'Template',
      name: 'Template name',
      kind: 'Kind',
      fields: 'Fields',
      field: 'Field {{number}}',
      fieldLabelled: 'Field {{number}}: {{label}}',
      moveUp: 'Move field {{number}} up',
      moveDown: 'Move field {{number}} down',
      removeField: 'Remove field {{number}}',
      remove: 'Remove',
      label: 'Label',
      key: 'Key',
      keyHelp: 'Names the answer in data exports, e.g. chiefComplaint.',
      type: 'Type',
      unit: 'Unit',
      unitHelp: 'e.g. kg, mmHg (optional)',
      min: 'Minimum',
      max: 'Maximum',
      options: 'Options',
      optionsHelp: 'One per line, at least 2.',
      help: 'Help text',
      helpHelp: 'Shown under the question (optional).',
      required: 'Required',
      addField: 'Add field',
    },
    problems: {
      nameMissing: 'Enter the template’s name.',
      nameTooLong: 'The name is too long: at most {{max}} characters.',
      noFields: 'Add at least one field.',
      tooManyFields: 'A template has at most {{max}} fields.',
      labelMissing: 'Enter the question or label.',
      tooLong: 'At most {{max}} characters.',
      keyPattern: 'Start with a lower-case letter; use only letters, digits and _ (e.g. chiefComplaint).',
      keyTaken: 'Field {{number}} already uses this key; keys must be unique.',
      tooFewOptions: 'Give at least 2 options, one per line.',
      tooManyOptions: 'At most {{max}} options.',
      sameOptions: 'Each option must be different.',
      optionTooLong: 'An option has at most {{max}} characters.',
      notANumber: 'Enter a number, or leave it empty.',
      maxBelowMin: 'The maximum must not be below the minimum ({{min}}).',
    },
  },
} as const;

export type UiCatalogue = Catalogue<typeof uiEn>;

/** web-ui's words in Spanish (castellano, "usted"), as clinic-web's own catalogue speaks. */
export const uiEs: UiCatalogue = {
  common: {
    loading: 'Cargando',
    working: 'Procesando…',
    cancel: 'Cancelar',
  },
  errors: {
    network: 'No se puede conectar con el servidor de Clinicult. Compruebe la conexión e inténtelo de nuevo.',
    serverFault: 'Algo ha fallado por nuestra parte. Inténtelo de nuevo dentro de un momento.',
    notAllowed: 'No tiene permiso para hacer esto.',
    unknown: 'Algo ha fallado. Inténtelo de nuevo.',
    wrongCredentials: 'El correo electrónico o la contraseña no son correctos.',
  },
  sessionReasons: {
    CLINIC_SUSPENDED:
      'Su clínica ha sido suspendida, por lo que se ha cerrado su sesión. Póngase en contacto con el administrador de su clínica o con el soporte de Clinicult.',
    SESSION_REVOKED: 'Su sesión ha finalizado: cerró la sesión en otro lugar, o cambió su contraseña o su acceso. Vuelva a iniciar sesión.',
    USER_DEACTIVATED: 'Su cuenta ha sido desactivada, por lo que se ha cerrado su sesión. Consulte a su administrador si cree que se trata de un error.',
    TOKEN_EXPIRED: 'Su sesión ha caducado. Vuelva a iniciar sesión.',
    TOKEN_INVALID: 'Su sesión ya no es válida. Vuelva a iniciar sesión.',
    PASSWORD_CHANGED: 'Se ha cambiado su contraseña y se han cerrado todas las sesiones. Inicie sesión con su contraseña nueva.',
    SECOND_FACTOR_REQUIRED: 'Ahora se exige un segundo factor (una aplicación de autenticación o una llave de acceso). Vuelva a iniciar sesión para configurarlo.',
    SIGNED_OUT: 'Ha cerrado la sesión.',
  },
  invitations: {
    status: {
      PENDING: 'Pendiente de respuesta',
      ACCEPTED: 'Aceptada',
      DECLINED: 'Rechazada',
      EXPIRED: 'Caducada',
      REVOKED: 'Retirada',
      NOT_DELIVERED: 'No entregada',
    },
    passwordTooShort: 'Elija una contraseña de al menos {{min}} caracteres.',
    passwordsDiffer: 'Las dos contraseñas no coinciden.',
  },
  passkeys: {
    cancelled: 'La solicitud de la llave de acceso se ha cancelado o ha caducado. Inténtelo de nuevo.',
    alreadyRegistered: 'Este dispositivo ya tiene una llave de acceso para esta cuenta.',
  },
  enrol: {
    codeFormat: 'Introduzca el código de 6 dígitos que muestra ahora la aplicación.',
    defaultPasskeyName: 'Llave de acceso',
    savedContinue: 'Ya los he guardado — continuar',
    totpTitle: 'Configure su aplicación de autenticación',
    totpStep1: 'Abra una aplicación de autenticación (Google Authenticator, Microsoft Authenticator, 1Password, …) y añada una cuenta.',
    totpStep2: 'Escanee este código o escriba la clave a mano.',
    qrAlt: 'Código QR para añadir Clinicult a una aplicación de autenticación',
    key: 'Clave',
    keyLabel: 'Clave para la aplicación de autenticación',
    totpStep3: 'Introduzca el código de 6 dígitos que muestra la aplicación.',
    codeLabel: 'Código de la aplicación',
    checking: 'Comprobando…',
    turnOn: 'Activar',
    back: 'Volver',
    totpOption: 'Aplicación de autenticación',
    totpOptionHelp: 'Un código de 6 dígitos de una aplicación de su teléfono, nuevo cada 30 segundos.',
    totpOptionStart: 'Configurar una aplicación de autenticación',
    passkeyOption: 'Llave de acceso',
    passkeyOptionHelp: 'Este dispositivo (huella, rostro, PIN) o una llave de seguridad confirma que es usted.',
    passkeyName: 'Nombre de la llave de acceso',
    passkeyNamePlaceholder: 'p. ej., Portátil de recepción',
    saving: 'Guardando…',
    createPasskey: 'Crear una llave de acceso',
    cancel: 'Cancelar',
  },
  recoveryCodes: {
    title: 'Sus códigos de recuperación',
    intro:
      'Si pierde su aplicación de autenticación o su llave de acceso, cada uno de estos códigos le permite iniciar sesión una vez. Guárdelos en un lugar seguro: solo se muestran ahora.',
    listLabel: 'Códigos de recuperación',
    copied: 'Copiados',
    copy: 'Copiar los códigos',
    done: 'Ya los he guardado',
  },
  secondFactor: {
    enterCode: 'Introduzca el código de 6 dígitos que muestra su aplicación de autenticación.',
    enterRecoveryCode: 'Introduzca uno de sus códigos de recuperación.',
    signInAgain: 'Volver a iniciar sesión',
    intro: 'Su cuenta está protegida por un segundo factor.',
    usePasskey: 'Usar su llave de acceso',
    codeLabel: 'Código de su aplicación de autenticación',
    recoveryCodeLabel: 'Código de recuperación',
    recoveryCodeHelp: 'Uno de los códigos que guardó al configurar su segundo factor. Cada uno sirve una sola vez.',
    checking: 'Comprobando…',
    continue: 'Continuar',
    useRecoveryCode: 'Usar un código de recuperación',
    useApp: 'Usar la aplicación de autenticación',
    restart: 'Cancelar y empezar de nuevo',
  },
  security: {
    enrolled: 'Al iniciar sesión se le pide su contraseña y uno de estos.',
    notEnrolled: 'Añada un segundo factor para que la contraseña por sí sola no baste para abrir su cuenta.',
    mustKeepOne: 'Su cuenta debe conservar al menos uno.',
    caption: 'Segundos factores',
    app: 'Aplicación de autenticación',
    on: 'Activada',
    notSetUp: 'Sin configurar',
    remove: 'Quitar',
    passkey: 'Llave de acceso «{{name}}»',
    lastUsed: 'último uso: {{when}}',
    never: 'nunca',
    recoveryCodes: 'Códigos de recuperación',
    codesLeft: 'Sin usar: {{count}}',
    newCodes: 'Códigos nuevos',
    removeTotp: '¿Quitar la aplicación de autenticación? Introduzca su contraseña para confirmarlo.',
    removePasskey: '¿Quitar la llave de acceso «{{name}}»? Introduzca su contraseña para confirmarlo.',
    password: 'Contraseña',
    keep: 'Conservarla',
    addPasskey: 'Añadir una llave de acceso',
    addSecondFactor: 'Añadir un segundo factor',
  },
  templates: {
    fieldTypes: {
      TEXT: 'Texto',
      NUMBER: 'Número',
      CHOICE: 'Una opción',
      MULTI_CHOICE: 'Varias opciones',
      DATE: 'Fecha',
      BOOLEAN: 'Sí / no',
    },
    kinds: {
      INTAKE: 'Anamnesis (el formulario de enfermería en el triaje)',
      NOTE: 'Nota (el formulario del médico en la consulta)',
    },
    builder: {
      legend: 'Plantilla',
      name: 'Nombre de la plantilla',
      kind: 'Uso',
      fields: 'Campos',
      field: 'Campo {{number}}',
      fieldLabelled: 'Campo {{number}}: {{label}}',
      moveUp: 'Subir el campo {{number}}',
      moveDown: 'Bajar el campo {{number}}',
      removeField: 'Quitar el campo {{number}}',
      remove: 'Quitar',
      label: 'Etiqueta',
      key: 'Clave',
      keyHelp: 'Nombra la respuesta en las exportaciones de datos, p. ej., motivoConsulta.',
      type: 'Tipo',
      unit: 'Unidad',
      unitHelp: 'p. ej., kg, mmHg (opcional)',
      min: 'Mínimo',
      max: 'Máximo',
      options: 'Opciones',
      optionsHelp: 'Una por línea, al menos 2.',
      help: 'Texto de ayuda',
      helpHelp: 'Se muestra bajo la pregunta (opcional).',
      required: 'Obligatorio',
      addField: 'Añadir campo',
    },
    problems: {
      nameMissing: 'Introduzca el nombre de la plantilla.',
      nameTooLong: 'El nombre es demasiado largo: como máximo {{max}} caracteres.',
      noFields: 'Añada al menos un campo.',
      tooManyFields: 'Una plantilla tiene como máximo {{max}} campos.',
      labelMissing: 'Introduzca la pregunta o la etiqueta.',
      tooLong: 'Como máximo {{max}} caracteres.',
      keyPattern: 'Empiece por una letra minúscula; use solo letras, dígitos y _ (p. ej., motivoConsulta).',
      keyTaken: 'El campo {{number}} ya usa esta clave; las claves deben ser únicas.',
      tooFewOptions: 'Indique al menos 2 opciones, una por línea.',
      tooManyOptions: 'Como máximo {{max}} opciones.',
      sameOptions: 'Cada opción debe ser distinta.',
      optionTooLong: 'Una opción tiene como máximo {{max}} caracteres.',
      notANumber: 'Introduzca un número o déjelo vacío.',
      maxBelowMin: 'El máximo no puede ser inferior al mínimo ({{min}}).',
    },
  },
};

/** The languages web-ui speaks. */
export type UiLanguageCode = 'en' | 'es';
const catalogues: Record<UiLanguageCode, UiCatalogue> = { en: uiEn, es: uiEs };

/** `{{name}}` in `text` replaced by `values.name` (a name without a value stays as it is). */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

// the words written outside React (error texts, checks, exported labels): set by the app where it
// applies its language, like setDisplayFormat
let current: UiCatalogue = uiEn;

/** The language of web-ui's words written outside React (English until set). */
export function setUiLanguage(language: UiLanguageCode | null | undefined): void {
  current = (language && catalogues[language]) || uiEn;
}

/** The current catalogue, outside React (set by setUiLanguage). */
export function uiText(): UiCatalogue {
  return current;
}

/** The catalogue web-ui's components read (English without a <UiLanguage> around them). */
export const UiLanguageContext = createContext<UiCatalogue>(uiEn);

/** web-ui's components inside speak `language`. */
export function UiLanguage({ language, children }: { language: UiLanguageCode; children?: ReactNode }) {
  return createElement(UiLanguageContext.Provider, { value: catalogues[language] ?? uiEn }, children);
}

/** The catalogue of the language around the component. */
export function useUiText(): UiCatalogue {
  return useContext(UiLanguageContext);
}

/**
 * Labels read from the current catalogue each time one is looked up (outside React, through
 * uiText()), so that exported label tables such as INVITATION_STATUS_LABELS follow the language.
 */
export function liveLabels<T extends Record<string, string>>(read: (text: UiCatalogue) => T): Readonly<T> {
  const labels = {} as T;
  for (const key of Object.keys(read(uiEn))) {
    Object.defineProperty(labels, key, { enumerable: true, get: () => read(current)[key] });
  }
  return Object.freeze(labels);
}
