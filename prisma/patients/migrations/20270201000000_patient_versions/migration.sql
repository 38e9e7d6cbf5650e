-- CreateTable: every version of a patient's demographics (issue 18: FHIR vread and _history), written
-- in the transaction that makes the version. Medical fields are not kept here: they have their own
-- permission, and the FHIR Patient does not hold them.
CREATE TABLE `PatientVersion` (
    `patientId` VARCHAR(36) NOT NULL,
    `version` INTEGER NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `demographics` JSON NOT NULL,
    `recordedAt` DATETIME(3) NOT NULL,
    `recordedBy` VARCHAR(36) NULL,

    INDEX `PatientVersion_clinicId_patientId_idx`(`clinicId`, `patientId`),
    PRIMARY KEY (`patientId`, `version`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
