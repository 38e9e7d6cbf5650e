import type { Catalogue } from '../catalogue';

/**
 * The words of the print screens (English first; Spanish typed by it). The headings, field labels
 * and vital signs' names shared with the visit and the chart come from `visit.*` and `chart.*`.
 */
export const printEn = {
  /** The two papers. */
  summary: 'Visit summary',
  prescription: 'Prescription',
  /** The browser tab's title (and the saved PDF's name). */
  documentTitle: '{{title}}: {{givenName}} {{familyName}} · Clinicult',
  notFound: 'No such finished visit in your clinic.',
  backToChart: 'Back to the chart',
  print: 'Print',
  patient: 'Patient',
  born: 'Born',
  doctor: 'Dr. {{name}}',
  clinicalOnly: 'The clinical record of this visit is shown only to clinicians.',
  /** The vital signs on one line; `label` and `unit` are the visit's (visit.vitals.label/unit). */
  vitals: {
    reading: '{{label}} {{value}} {{unit}}',
    /** Heart and respiratory rate: English writes "/min" for both (`unit` is the visit's: bpm, /min). */
    perMinute: '{{label}} {{value}}/min',
    bloodPressure: 'Blood pressure {{systolic}}/{{diastolic}} mmHg',
    spo2: 'SpO₂',
  },
  noDiagnoses: 'None recorded.',
  noPrescription: 'This visit has no prescription.',
  /** After a prescription's frequency (", for 5 days"). */
  // English has always said "days", also for one (the text is kept as it was)
  forDays_one: 'for {{count}} days',
  forDays_other: 'for {{count}} days',
  signature: 'Signature',
  footer: 'Printed {{printed}} · finished {{finished}}',
} as const;

export const printEs: Catalogue<typeof printEn> = {
  summary: 'Resumen de la visita',
  prescription: 'Receta',
  documentTitle: '{{title}}: {{givenName}} {{familyName}} · Clinicult',
  notFound: 'No existe esa visita terminada en su clínica.',
  backToChart: 'Volver a la historia clínica',
  print: 'Imprimir',
  patient: 'Paciente',
  born: 'Nacimiento',
  doctor: 'Dr./Dra. {{name}}',
  clinicalOnly: 'El registro clínico de esta visita solo se muestra al personal sanitario.',
  vitals: {
    reading: '{{label}} {{value}} {{unit}}',
    // lpm, rpm
    perMinute: '{{label}} {{value}} {{unit}}',
    bloodPressure: 'Presión arterial {{systolic}}/{{diastolic}} mmHg',
    spo2: 'SpO₂',
  },
  noDiagnoses: 'No consta.',
  noPrescription: 'Esta visita no tiene receta.',
  forDays_one: 'durante {{count}} día',
  forDays_other: 'durante {{count}} días',
  signature: 'Firma',
  footer: 'Impreso: {{printed}} · visita terminada: {{finished}}',
};
