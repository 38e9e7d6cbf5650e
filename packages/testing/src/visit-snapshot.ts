import { randomUUID } from 'node:crypto';

/**
 * A visit snapshot as patients' archive relay delivers it to visits (patients' `buildSnapshot`):
 * a finished visit with every medical part, unless patched.
 */
export function visitSnapshot(clinicId: string, patientId: string, patch: Record<string, unknown> = {}): Record<string, any> {
  const finishedAt = (patch.finishedAt as string | undefined) ?? new Date().toISOString();
  const checkedInAt = new Date(Date.parse(finishedAt) - 45 * 60_000).toISOString();
  const office = 'office-user';
  const nurse = 'nurse-user';
  const doctor = 'doctor-user';
  const status = (patch.status as string | undefined) ?? 'FINISHED';
  const at = (minutes: number) => new Date(Date.parse(checkedInAt) + minutes * 60_000).toISOString();
  return {
    snapshotVersion: 1,
    visitId: randomUUID(),
    clinicId,
    patientId,
    status,
    cancelReason: null,
    reason: 'Dolor de cabeza',
    templateId: null,
    checkedInBy: office,
    nurseId: nurse,
    doctorId: doctor,
    vitals: { temperatureC: 37.9, heartRate: 92, recordedAt: at(10), recordedBy: nurse },
    intakeAnswers: { fever: true },
    notes: 'Cefalea tensional',
    diagnoses: [{ code: 'G44.2', description: 'Cefalea tensional' }],
    prescriptions: [{ drug: 'Paracetamol', dose: '1 g', route: 'oral', frequency: 'cada 8 h', durationDays: 3 }],
    templateAnswers: { followUp: 'no' },
    timeline: [
      { from: null, to: 'WAITING', by: office, at: checkedInAt },
      { from: 'WAITING', to: 'TRIAGE', by: nurse, at: at(5) },
      { from: 'TRIAGE', to: 'READY_FOR_DOCTOR', by: nurse, at: at(15) },
      { from: 'READY_FOR_DOCTOR', to: 'WITH_DOCTOR', by: doctor, at: at(20) },
      { from: 'WITH_DOCTOR', to: 'CHECKOUT', by: doctor, at: at(40) },
      { from: 'CHECKOUT', to: status, by: office, at: finishedAt },
    ],
    checkedInAt,
    finishedAt,
    finishedBy: office,
    timeZone: 'Europe/Madrid',
    localDate: '2026-11-27',
    version: 7,
    ...patch,
  };
}
