import type { Catalogue } from '../catalogue';

/** The words of the display screens (English first; Spanish typed by it). */
export const displayEn = {
  connecting: 'Connecting…',
  keyInvalid: 'This display key is not valid or was revoked. Ask the clinic ADMIN for a new one.',
  revoked: 'This display was revoked by the clinic. Ask the clinic ADMIN for a new key.',
  /** Setting up a display with its key. */
  setup: {
    title: 'Waiting-room display',
    help: 'Enter the display key the clinic ADMIN got when registering this display (Admin → Displays).',
    key: 'Display key',
    /** The form's name and its button. */
    start: 'Start the display',
    starting: 'Starting…',
  },
  /** The board in the waiting room. */
  nowCalling: 'Now calling',
  nobody: 'No one is being called right now.',
  /** Where a called patient goes, by the visit's state (other states show the state's name). */
  calledTo: {
    TRIAGE: 'Please go to triage',
    WITH_DOCTOR: 'Please go to the doctor',
  },
  waiting: 'Waiting: {{number}}',
} as const;

export const displayEs: Catalogue<typeof displayEn> = {
  connecting: 'Conectando…',
  keyInvalid: 'Esta clave de pantalla no es válida o se ha revocado. Pida una nueva a la administración de la clínica.',
  revoked: 'La clínica ha revocado esta pantalla. Pida una clave nueva a la administración de la clínica.',
  setup: {
    title: 'Pantalla de la sala de espera',
    help: 'Introduzca la clave de pantalla que recibió la administración de la clínica al registrar esta pantalla (Administración → Pantallas).',
    key: 'Clave de pantalla',
    start: 'Iniciar la pantalla',
    starting: 'Iniciando…',
  },
  nowCalling: 'Llamando ahora',
  nobody: 'Ahora mismo no se llama a nadie.',
  calledTo: {
    TRIAGE: 'Pase a triaje',
    WITH_DOCTOR: 'Pase a consulta',
  },
  waiting: 'En espera: {{number}}',
};
