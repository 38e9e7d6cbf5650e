-- Reports (visitReport): per day, per doctor and cancellations are GROUP BYs over the clinic's
-- local-date range; this index covers all three (clinicId, localDate range, then status and doctorId
-- read from the index alone). The range's ids (InnoDB appends the primary key) join VisitDiagnosis
-- on its primary key (visitId, code) for the top diagnoses.
-- CreateIndex
CREATE INDEX `HistoricVisit_clinicId_localDate_status_doctorId_idx` ON `HistoricVisit`(`clinicId`, `localDate`, `status`, `doctorId`);
