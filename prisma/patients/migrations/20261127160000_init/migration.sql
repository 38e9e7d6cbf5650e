-- CreateTable
CREATE TABLE `Patient` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `mrn` VARCHAR(32) NOT NULL,
    `nationalId` VARCHAR(64) NULL,
    `givenName` VARCHAR(100) NOT NULL,
    `familyName` VARCHAR(100) NOT NULL,
    `birthDate` DATE NOT NULL,
    `gender` ENUM('MALE', 'FEMALE', 'OTHER', 'UNKNOWN') NOT NULL DEFAULT 'UNKNOWN',
    `phone` VARCHAR(40) NULL,
    `phoneDigits` VARCHAR(40) NULL,
    `email` VARCHAR(254) NULL,
    `address` JSON NULL,
    `emergencyContact` JSON NULL,
    `bloodType` VARCHAR(3) NULL,
    `allergies` JSON NULL,
    `chronicConditions` JSON NULL,
    `currentMedications` JSON NULL,
    `medicalNotes` TEXT NULL,
    `version` INTEGER NOT NULL DEFAULT 1,
    `createdBy` VARCHAR(36) NULL,
    `updatedBy` VARCHAR(36) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Patient_clinicId_mrn_key`(`clinicId`, `mrn`),
    INDEX `Patient_clinicId_familyName_givenName_id_idx`(`clinicId`, `familyName`, `givenName`, `id`),
    INDEX `Patient_clinicId_givenName_idx`(`clinicId`, `givenName`),
    INDEX `Patient_clinicId_birthDate_idx`(`clinicId`, `birthDate`),
    INDEX `Patient_clinicId_nationalId_idx`(`clinicId`, `nationalId`),
    INDEX `Patient_clinicId_phoneDigits_idx`(`clinicId`, `phoneDigits`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `MrnCounter` (
    `clinicId` VARCHAR(36) NOT NULL,
    `lastValue` INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY (`clinicId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `CurrentVisit` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `patientId` VARCHAR(36) NOT NULL,
    `state` ENUM('WAITING', 'TRIAGE', 'READY_FOR_DOCTOR', 'WITH_DOCTOR', 'CHECKOUT') NOT NULL DEFAULT 'WAITING',
    `reason` VARCHAR(500) NOT NULL,
    `templateId` VARCHAR(36) NULL,
    `checkedInBy` VARCHAR(36) NOT NULL,
    `nurseId` VARCHAR(36) NULL,
    `doctorId` VARCHAR(36) NULL,
    `vitals` JSON NULL,
    `intakeAnswers` JSON NULL,
    `notes` TEXT NULL,
    `diagnoses` JSON NULL,
    `prescriptions` JSON NULL,
    `templateAnswers` JSON NULL,
    `timeline` JSON NOT NULL,
    `version` INTEGER NOT NULL DEFAULT 1,
    `checkedInAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `stateChangedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `CurrentVisit_patientId_key`(`patientId`),
    INDEX `CurrentVisit_clinicId_checkedInAt_id_idx`(`clinicId`, `checkedInAt`, `id`),
    INDEX `CurrentVisit_clinicId_state_checkedInAt_idx`(`clinicId`, `state`, `checkedInAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `ArchiveOutbox` (
    `visitId` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `patientId` VARCHAR(36) NOT NULL,
    `snapshot` LONGTEXT NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `deliveredAt` DATETIME(3) NULL,

    INDEX `ArchiveOutbox_clinicId_patientId_idx`(`clinicId`, `patientId`),
    PRIMARY KEY (`visitId`)
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
ALTER TABLE `CurrentVisit` ADD CONSTRAINT `CurrentVisit_patientId_fkey` FOREIGN KEY (`patientId`) REFERENCES `Patient`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;
