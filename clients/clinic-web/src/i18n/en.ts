import { accessEn } from './areas/access';
import { adminEn } from './areas/admin';
import { reportsEn } from './areas/reports';
import { printEn } from './areas/print';
import { displayEn } from './areas/display';
import type { Catalogue } from './catalogue';
import { patientsEn } from './areas/patients';
import { visitEn } from './areas/visit';

/**
 * The staff app's words in English: the catalogue every other language follows key by key (es.ts
 * is typed by this one, so a missing or extra key is a compile error). One area file per part of
 * the app (areas/); docs/architecture.md, "Languages", says what is still English.
 */
export const en = {
  nav: {
    main: 'Main',
    queue: 'Queue',
    patients: 'Patients',
    reports: 'Reports',
    staff: 'Staff',
    templates: 'Templates',
    audit: 'Audit log',
    displays: 'Displays',
    integrations: 'Integrations',
    settings: 'Settings',
    skip: 'Skip to content',
  },
  account: {
    switchClinic: 'Switch clinic',
    changePassword: 'Change password',
    security: 'Security',
    signOut: 'Sign out',
    language: 'Language',
    clinicDefault: 'Clinic default ({{language}})',
  },
  roles: { ADMIN: 'Administrator', DOCTOR: 'Doctor', NURSE: 'Nurse', OFFICE: 'Front desk' },
  states: {
    WAITING: 'Waiting',
    TRIAGE: 'In triage',
    READY_FOR_DOCTOR: 'Ready for doctor',
    WITH_DOCTOR: 'With doctor',
    CHECKOUT: 'Checkout',
    FINISHED: 'Finished',
    CANCELLED: 'Cancelled',
  },
  queue: {
    title: 'Queue',
    refresh: 'Refresh',
    checkIn: 'Check in a patient',
    intro: "Today's visits by state, urgent first.",
    live: 'Updates as soon as anything changes.',
    polling: 'Refreshes by itself every {{seconds}} seconds.',
    reconnecting: 'Live updates are reconnecting: use Refresh meanwhile.',
    cutShort: 'The board shows the first {{shown}} of {{total}} current visits (the oldest check-ins).',
    loading: 'Loading the queue',
    empty: 'No one.',
    minutesHere: '{{minutes}} min here',
    checkedIn: 'Checked in {{when}}',
    longWait: 'Long wait (over {{minutes}} min)',
    nurse: 'Nurse {{name}}',
    doctor: 'Dr. {{name}}',
    stale: 'Checked in on an earlier day: close it.',
    nextForYou: 'Next for you: {{action}}',
    urgent: 'Urgent',
  },
  actions: {
    startTriage: 'Start triage',
    recordVitals: 'Record vitals',
    recordIntake: 'Record intake',
    sendToDoctor: 'Send to doctor',
    startConsultation: 'Start consultation',
    recordConsultation: 'Record consultation',
    completeConsultation: 'Complete consultation',
    finishVisit: 'Check out',
    cancelVisit: 'Cancel visit',
  },
  visit: visitEn,
  chart: patientsEn,
  access: accessEn,
  admin: adminEn,
  reports: reportsEn,
  print: printEn,
  display: displayEn,
  patients: {
    title: 'Patients',
    register: 'Register a patient',
    find: 'Find a patient',
  },
} as const;

export type Messages = Catalogue<typeof en>;
