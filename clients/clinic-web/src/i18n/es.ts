import { accessEs } from './areas/access';
import { adminEs } from './areas/admin';
import { reportsEs } from './areas/reports';
import { printEs } from './areas/print';
import { displayEs } from './areas/display';
import { patientsEs } from './areas/patients';
import { visitEs } from './areas/visit';
import type { Messages } from './en';

/** The staff app's words in Spanish (castellano); keys as in en.ts. */
export const es: Messages = {
  nav: {
    main: 'Principal',
    queue: 'Cola',
    patients: 'Pacientes',
    reports: 'Informes',
    staff: 'Personal',
    templates: 'Plantillas',
    audit: 'Registro de auditoría',
    displays: 'Pantallas',
    integrations: 'Integraciones',
    settings: 'Ajustes',
    skip: 'Ir al contenido',
  },
  account: {
    switchClinic: 'Cambiar de clínica',
    changePassword: 'Cambiar contraseña',
    security: 'Seguridad',
    signOut: 'Cerrar sesión',
    language: 'Idioma',
    clinicDefault: 'El de la clínica ({{language}})',
  },
  roles: { ADMIN: 'Administración', DOCTOR: 'Médico', NURSE: 'Enfermería', OFFICE: 'Recepción' },
  states: {
    WAITING: 'En espera',
    TRIAGE: 'En triaje',
    READY_FOR_DOCTOR: 'Listo para consulta',
    WITH_DOCTOR: 'En consulta',
    CHECKOUT: 'Salida',
    FINISHED: 'Terminada',
    CANCELLED: 'Cancelada',
  },
  queue: {
    title: 'Cola',
    refresh: 'Actualizar',
    checkIn: 'Registrar llegada',
    intro: 'Las visitas de hoy por estado, las urgentes primero.',
    live: 'Se actualiza en cuanto algo cambia.',
    polling: 'Se actualiza sola cada {{seconds}} segundos.',
    reconnecting: 'Las actualizaciones en directo se están reconectando: mientras tanto, use Actualizar.',
    cutShort: 'El tablero muestra las primeras {{shown}} de {{total}} visitas en curso (las llegadas más antiguas).',
    loading: 'Cargando la cola',
    empty: 'Nadie.',
    minutesHere: '{{minutes}} min aquí',
    checkedIn: 'Llegada: {{when}}',
    longWait: 'Espera larga (más de {{minutes}} min)',
    nurse: 'Enfermería: {{name}}',
    doctor: 'Dr./Dra. {{name}}',
    stale: 'Llegó un día anterior: ciérrela.',
    nextForYou: 'Lo siguiente para usted: {{action}}',
    urgent: 'Urgente',
  },
  actions: {
    startTriage: 'Empezar triaje',
    recordVitals: 'Registrar constantes',
    recordIntake: 'Registrar anamnesis',
    sendToDoctor: 'Pasar a consulta',
    startConsultation: 'Empezar consulta',
    recordConsultation: 'Registrar consulta',
    completeConsultation: 'Terminar consulta',
    finishVisit: 'Dar salida',
    cancelVisit: 'Cancelar visita',
  },
  visit: visitEs,
  chart: patientsEs,
  access: accessEs,
  admin: adminEs,
  reports: reportsEs,
  print: printEs,
  display: displayEs,
  patients: {
    title: 'Pacientes',
    register: 'Registrar paciente',
    find: 'Buscar paciente',
  },
};
