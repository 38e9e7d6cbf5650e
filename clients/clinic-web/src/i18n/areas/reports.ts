import type { Catalogue } from '../catalogue';

/** The words of the reports screens (English first; Spanish typed by it). */
export const reportsEn = {
  title: 'Reports',
  /** The period form above the report. */
  period: {
    form: 'Report period',
    from: 'From',
    to: 'To',
    show: 'Show',
    fromMissing: 'Choose the first day.',
    toMissing: 'Choose the last day.',
    toBeforeFrom: 'The last day must not be before the first.',
    tooLong: 'At most one year (366 days).',
  },
  loading: 'Computing the report',
  /** The key figures: each follows its number. */
  kpi: {
    // English has always said "visits", also for one (the text is kept as it was)
    finished_one: 'visits finished',
    finished_other: 'visits finished',
    cancelled_one: 'cancelled',
    cancelled_other: 'cancelled',
    period: '{{from}} – {{to}}, clinic time',
  },
  /** Under each chart: its numbers as a table. */
  showNumbers: 'Show the numbers',
  /** How many visits ended each way (a table's column, a chart's series): counts, not a visit's state. */
  finished: 'Finished',
  cancelled: 'Cancelled',
  perDay: {
    title: 'Visits per day',
    day: 'Day',
  },
  perDoctor: {
    title: 'Finished visits per doctor',
    empty: 'No finished visits in this period.',
  },
  perState: {
    title: 'Average minutes per state',
    minutes: '{{minutes}} min',
    noVisit: 'no visit',
    /** Appended to the axis' numbers (mind the leading space). */
    axisUnit: ' min',
    series: 'Minutes',
  },
  topDiagnoses: {
    title: 'Top diagnoses',
    empty: 'No diagnoses in this period.',
    code: 'ICD-10',
    description: 'Description',
    visits: 'Visits',
    privacy: 'Counts below 5 show as “<5” to protect patients’ privacy.',
  },
  /** A suggested ICD-10 code while typing one: its description and how often the clinic gave it. */
  suggestion: '{{description}} ({{uses}}×)',
} as const;

export const reportsEs: Catalogue<typeof reportsEn> = {
  title: 'Informes',
  period: {
    form: 'Periodo del informe',
    from: 'Desde',
    to: 'Hasta',
    show: 'Mostrar',
    fromMissing: 'Elija el primer día.',
    toMissing: 'Elija el último día.',
    toBeforeFrom: 'El último día no puede ser anterior al primero.',
    tooLong: 'Como máximo, un año (366 días).',
  },
  loading: 'Calculando el informe',
  kpi: {
    finished_one: 'visita terminada',
    finished_other: 'visitas terminadas',
    cancelled_one: 'cancelada',
    cancelled_other: 'canceladas',
    period: '{{from}} – {{to}}, hora de la clínica',
  },
  showNumbers: 'Mostrar las cifras',
  finished: 'Terminadas',
  cancelled: 'Canceladas',
  perDay: {
    title: 'Visitas por día',
    day: 'Día',
  },
  perDoctor: {
    title: 'Visitas terminadas por médico',
    empty: 'No hay visitas terminadas en este periodo.',
  },
  perState: {
    title: 'Minutos de media por estado',
    minutes: '{{minutes}} min',
    noVisit: 'ninguna visita',
    axisUnit: ' min',
    series: 'Minutos',
  },
  topDiagnoses: {
    title: 'Diagnósticos más frecuentes',
    empty: 'No hay diagnósticos en este periodo.',
    code: 'CIE-10',
    description: 'Descripción',
    visits: 'Visitas',
    privacy: 'Los recuentos inferiores a 5 se muestran como «<5» para proteger la privacidad de los pacientes.',
  },
  suggestion: '{{description}} ({{uses}}×)',
};
