import type { Catalogue } from '../catalogue';

/** The words of the access screens (English first; Spanish typed by it). */
export const accessEn = {
  /** What several access screens say alike. */
  common: {
    email: 'Email',
    password: 'Password',
    emailInvalid: 'Enter an email address like name@clinic.org.',
    saving: 'Saving…',
    loading: 'Loading',
    askNewLink: 'Ask for a new link',
    startPage: 'Go to the start page',
  },
  /** Signing in with email and password. */
  signIn: {
    title: 'Sign in',
    emailMissing: 'Enter your email address.',
    passwordMissing: 'Enter your password.',
    signingIn: 'Signing in…',
    submit: 'Sign in',
    forgot: 'Forgot your password?',
    newHere: 'New here? Open the link in the invitation email your clinic sent you to choose your password.',
  },
  /** What follows the password: the second factor, then the clinic to work in. */
  steps: {
    enrolTitle: 'Set up a second factor',
    secondFactorTitle: 'Second factor',
    enrolIntro: 'Your clinic requires a second factor to sign in. Set one up now; it takes a minute.',
    invitationsTitle: 'Your invitations',
    chooseTitle: 'Choose a clinic',
  },
  /** Forgot password: asking for the reset link. */
  forgot: {
    title: 'Reset your password',
    sent: 'If <strong>{{email}}</strong> has a Clinicult account, a link to choose a new password is on its way. It works once, for 30 minutes.',
    noEmail: 'No email? Check the spam folder, or ask your clinic administrator.',
    intro: 'Enter the email you sign in with. We send a link to choose a new password.',
    sending: 'Sending…',
    submit: 'Send the link',
    backToSignIn: 'Back to sign in',
  },
  /** A new password with the reset link. */
  reset: {
    changedTitle: 'Password changed',
    changedBody: 'Your password was changed and every session signed out.',
    signIn: 'Sign in',
    incompleteTitle: 'Reset link incomplete',
    incompleteBody: 'This link has no reset token. Open the whole link from the email, or ask for a new one.',
    title: 'Choose a new password',
    submit: 'Change password',
    help: 'At least 10 characters, mixing letters, digits or symbols.',
  },
  /** The invitation link: a first password. */
  invitation: {
    incompleteTitle: 'Invitation link incomplete',
    incompleteBody: 'This link has no invitation token. Open the whole link from the invitation email, or ask your clinic for a new one.',
    toSignIn: 'Go to sign in',
    title: 'Welcome to Clinicult',
    intro: 'Choose the password you will sign in with. Then you accept the clinic’s invitation.',
    submit: 'Set password and continue',
    help: 'At least 10 characters.',
  },
  /** The new password twice (invitation and reset links). */
  newPassword: {
    password: 'New password',
    repeat: 'Repeat the password',
  },
  /** Changing one's own password while signed in. */
  changePassword: {
    title: 'Change password',
    intro: 'Changing your password signs you out everywhere, here included.',
    currentMissing: 'Enter your current password.',
    tooShort: 'Choose a password of at least 10 characters.',
    sameAsCurrent: 'The new password must differ from the current one.',
    mismatch: 'The two new passwords are not the same.',
    currentWrong: 'The current password is not correct.',
    current: 'Current password',
    new: 'New password',
    repeat: 'Repeat the new password',
    help: 'At least 10 characters.',
    submit: 'Change password',
  },
  /** The clinics one works in and the invitations waiting (sign-in, switching clinic). */
  choice: {
    noClinic: 'Your account does not belong to any clinic yet. Ask your clinic administrator to invite you.',
    opening: '— opening…',
    invitations: 'Invitations',
    invites: '<strong>{{clinic}}</strong> invites you as {{roles}}',
    from: 'from {{name}} · open until {{when}}',
    joining: 'Joining…',
    accept: 'Accept and open {{clinic}}',
    decline: 'Decline',
  },
  chooseClinic: {
    title: 'Switch clinic',
  },
  invitations: {
    title: 'Invitations',
    none: 'No invitation is waiting for you.',
  },
  security: {
    title: 'Sign-in security',
  },
  /** The automatic lock of a shared screen. */
  idleLock: {
    title: 'Locked',
    // English has always said "minutes", also for one (the text is kept as it was)
    body_one:
      'The screen was locked after {{minutes}} minutes without use, to keep patient data private. {{name}}, sign in again to go on where you left off.',
    body_other:
      'The screen was locked after {{minutes}} minutes without use, to keep patient data private. {{name}}, sign in again to go on where you left off.',
    password: 'Password',
    unlock: 'Unlock',
    notYou: 'Not {{name}}? Sign out',
  },
  notAllowed: {
    title: 'Not allowed',
    bodyAt: 'Your role does not give access to <code>{{from}}</code>. If you need it, ask your clinic administrator.',
    body: 'Your role does not give access to this screen. If you need it, ask your clinic administrator.',
  },
  notFound: {
    title: 'Page not found',
    body: 'There is nothing at this address.',
  },
} as const;

export const accessEs: Catalogue<typeof accessEn> = {
  common: {
    email: 'Correo electrónico',
    password: 'Contraseña',
    emailInvalid: 'Introduzca un correo electrónico como nombre@clinica.org.',
    saving: 'Guardando…',
    loading: 'Cargando',
    askNewLink: 'Solicitar un enlace nuevo',
    startPage: 'Ir a la página de inicio',
  },
  signIn: {
    title: 'Iniciar sesión',
    emailMissing: 'Introduzca su correo electrónico.',
    passwordMissing: 'Introduzca su contraseña.',
    signingIn: 'Iniciando sesión…',
    submit: 'Iniciar sesión',
    forgot: '¿Ha olvidado su contraseña?',
    newHere: '¿Es su primera vez aquí? Para elegir su contraseña, abra el enlace del correo de invitación que le envió su clínica.',
  },
  steps: {
    enrolTitle: 'Configurar un segundo factor',
    secondFactorTitle: 'Segundo factor',
    enrolIntro: 'Su clínica exige un segundo factor para iniciar sesión. Configúrelo ahora; solo lleva un minuto.',
    invitationsTitle: 'Sus invitaciones',
    chooseTitle: 'Elija una clínica',
  },
  forgot: {
    title: 'Restablecer la contraseña',
    sent: 'Si <strong>{{email}}</strong> tiene una cuenta de Clinicult, recibirá un enlace para elegir una contraseña nueva. Solo se puede usar una vez, durante 30 minutos.',
    noEmail: '¿No le ha llegado el correo? Revise la carpeta de correo no deseado o consulte al administrador de su clínica.',
    intro: 'Introduzca el correo electrónico con el que inicia sesión. Le enviaremos un enlace para elegir una contraseña nueva.',
    sending: 'Enviando…',
    submit: 'Enviar el enlace',
    backToSignIn: 'Volver al inicio de sesión',
  },
  reset: {
    changedTitle: 'Contraseña cambiada',
    changedBody: 'Se ha cambiado su contraseña y se han cerrado todas las sesiones.',
    signIn: 'Iniciar sesión',
    incompleteTitle: 'Enlace de restablecimiento incompleto',
    incompleteBody: 'Este enlace no contiene el código de restablecimiento. Abra el enlace completo del correo o solicite uno nuevo.',
    title: 'Elija una contraseña nueva',
    submit: 'Cambiar contraseña',
    help: 'Al menos 10 caracteres, combinando letras, cifras o símbolos.',
  },
  invitation: {
    incompleteTitle: 'Enlace de invitación incompleto',
    incompleteBody: 'Este enlace no contiene el código de invitación. Abra el enlace completo del correo de invitación o pida uno nuevo a su clínica.',
    toSignIn: 'Ir al inicio de sesión',
    title: 'Le damos la bienvenida a Clinicult',
    intro: 'Elija la contraseña con la que iniciará sesión. A continuación aceptará la invitación de la clínica.',
    submit: 'Guardar la contraseña y continuar',
    help: 'Al menos 10 caracteres.',
  },
  newPassword: {
    password: 'Contraseña nueva',
    repeat: 'Repita la contraseña',
  },
  changePassword: {
    title: 'Cambiar contraseña',
    intro: 'Al cambiar la contraseña se cierran todas sus sesiones, también esta.',
    currentMissing: 'Introduzca su contraseña actual.',
    tooShort: 'Elija una contraseña de al menos 10 caracteres.',
    sameAsCurrent: 'La contraseña nueva debe ser distinta de la actual.',
    mismatch: 'Las dos contraseñas nuevas no coinciden.',
    currentWrong: 'La contraseña actual no es correcta.',
    current: 'Contraseña actual',
    new: 'Contraseña nueva',
    repeat: 'Repita la contraseña nueva',
    help: 'Al menos 10 caracteres.',
    submit: 'Cambiar contraseña',
  },
  choice: {
    noClinic: 'Su cuenta todavía no pertenece a ninguna clínica. Pida al administrador de su clínica que le envíe una invitación.',
    opening: '— abriendo…',
    invitations: 'Invitaciones',
    invites: '<strong>{{clinic}}</strong> le invita como {{roles}}',
    from: 'de {{name}} · válida hasta {{when}}',
    joining: 'Uniéndose…',
    accept: 'Aceptar y abrir {{clinic}}',
    decline: 'Rechazar',
  },
  chooseClinic: {
    title: 'Cambiar de clínica',
  },
  invitations: {
    title: 'Invitaciones',
    none: 'No tiene ninguna invitación pendiente.',
  },
  security: {
    title: 'Seguridad del inicio de sesión',
  },
  idleLock: {
    title: 'Pantalla bloqueada',
    body_one:
      'La pantalla se ha bloqueado tras {{minutes}} minuto sin uso, para proteger los datos de los pacientes. {{name}}, vuelva a iniciar sesión para continuar donde lo dejó.',
    body_other:
      'La pantalla se ha bloqueado tras {{minutes}} minutos sin uso, para proteger los datos de los pacientes. {{name}}, vuelva a iniciar sesión para continuar donde lo dejó.',
    password: 'Contraseña',
    unlock: 'Desbloquear',
    notYou: '¿No es {{name}}? Cerrar sesión',
  },
  notAllowed: {
    title: 'Acceso no permitido',
    bodyAt: 'Su perfil no da acceso a <code>{{from}}</code>. Si lo necesita, consulte al administrador de su clínica.',
    body: 'Su perfil no da acceso a esta pantalla. Si lo necesita, consulte al administrador de su clínica.',
  },
  notFound: {
    title: 'Página no encontrada',
    body: 'No hay nada en esta dirección.',
  },
};
