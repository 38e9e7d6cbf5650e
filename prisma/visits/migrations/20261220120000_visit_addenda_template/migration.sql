-- Doctors' addenda to historic visits (addVisitAddendum) and the template version a visit was
-- started with (HistoricVisit.template, from the snapshot's `template` when it has one).
-- A nullable column without a default: an instant (metadata-only) change on MariaDB 10.3+ and
-- MySQL 8.0.12+, so a table of millions of rows is not rebuilt.

-- AlterTable
ALTER TABLE `HistoricVisit` ADD COLUMN `template` JSON NULL;

-- CreateTable
CREATE TABLE `VisitAddendum` (
    `id` VARCHAR(36) NOT NULL,
    `visitId` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `text` TEXT NOT NULL,
    `byUserId` VARCHAR(36) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `VisitAddendum_clinicId_visitId_createdAt_idx`(`clinicId`, `visitId`, `createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `VisitAddendum` ADD CONSTRAINT `VisitAddendum_visitId_fkey` FOREIGN KEY (`visitId`) REFERENCES `HistoricVisit`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
