-- CreateTable
CREATE TABLE `HistoricVisit` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `patientId` VARCHAR(36) NOT NULL,
    `status` ENUM('FINISHED', 'CANCELLED') NOT NULL,
    `reason` VARCHAR(500) NOT NULL,
    `cancelReason` VARCHAR(500) NULL,
    `templateId` VARCHAR(36) NULL,
    `checkedInBy` VARCHAR(36) NOT NULL,
    `nurseId` VARCHAR(36) NULL,
    `doctorId` VARCHAR(36) NULL,
    `finishedBy` VARCHAR(36) NOT NULL,
    `checkedInAt` DATETIME(3) NOT NULL,
    `finishedAt` DATETIME(3) NOT NULL,
    `localDate` DATE NOT NULL,
    `timeZone` VARCHAR(64) NOT NULL,
    `timeline` JSON NOT NULL,
    `vitals` JSON NULL,
    `intakeAnswers` JSON NULL,
    `notes` LONGTEXT NULL,
    `diagnoses` JSON NULL,
    `prescriptions` JSON NULL,
    `templateAnswers` JSON NULL,
    `version` INTEGER NOT NULL,
    `snapshotVersion` INTEGER NOT NULL,
    `snapshot` LONGTEXT NOT NULL,
    `archivedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `HistoricVisit_clinicId_patientId_finishedAt_id_idx`(`clinicId`, `patientId`, `finishedAt`, `id`),
    INDEX `HistoricVisit_clinicId_doctorId_finishedAt_idx`(`clinicId`, `doctorId`, `finishedAt`),
    INDEX `HistoricVisit_clinicId_finishedAt_idx`(`clinicId`, `finishedAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `VisitDiagnosis` (
    `visitId` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `code` VARCHAR(16) NOT NULL,
    `finishedAt` DATETIME(3) NOT NULL,

    INDEX `VisitDiagnosis_clinicId_code_finishedAt_idx`(`clinicId`, `code`, `finishedAt`),
    PRIMARY KEY (`visitId`, `code`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `event_outbox` (
    `seq` BIGINT NOT NULL AUTO_INCREMENT,
    `stream` VARCHAR(200) NOT NULL,
    `eventId` VARCHAR(36) NOT NULL,
    `envelope` LONGTEXT NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `event_outbox_eventId_key`(`eventId`),
    PRIMARY KEY (`seq`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `VisitDiagnosis` ADD CONSTRAINT `VisitDiagnosis_visitId_fkey` FOREIGN KEY (`visitId`) REFERENCES `HistoricVisit`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
