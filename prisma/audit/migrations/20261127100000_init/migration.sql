-- CreateTable
CREATE TABLE `AuditEvent` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NULL,
    `actorId` VARCHAR(100) NOT NULL,
    `actorKind` VARCHAR(16) NOT NULL,
    `action` VARCHAR(100) NOT NULL,
    `patientId` VARCHAR(36) NULL,
    `targetUserId` VARCHAR(36) NULL,
    `fields` JSON NULL,
    `api` VARCHAR(16) NOT NULL,
    `service` VARCHAR(50) NOT NULL,
    `requestId` VARCHAR(128) NOT NULL,
    `details` JSON NULL,
    `occurredAt` DATETIME(3) NOT NULL,
    `recordedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `AuditEvent_clinicId_occurredAt_idx`(`clinicId`, `occurredAt`),
    INDEX `AuditEvent_clinicId_patientId_occurredAt_idx`(`clinicId`, `patientId`, `occurredAt`),
    INDEX `AuditEvent_clinicId_actorId_occurredAt_idx`(`clinicId`, `actorId`, `occurredAt`),
    INDEX `AuditEvent_clinicId_targetUserId_occurredAt_idx`(`clinicId`, `targetUserId`, `occurredAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Append-only, enforced by the database too (not only by the service having no update or delete
-- path): any UPDATE or DELETE of a row fails. Single-statement trigger bodies (no BEGIN … END), so
-- the script needs no DELIMITER and is valid for MySQL 8 and MariaDB 10.11 alike. Prisma does not
-- model triggers; the schema test checks them separately. In production, also grant the service's
-- database user only SELECT and INSERT on this table (triggers do not stop DROP or TRUNCATE).
CREATE TRIGGER `AuditEvent_no_update` BEFORE UPDATE ON `AuditEvent` FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'AuditEvent is append-only: rows cannot be updated';

CREATE TRIGGER `AuditEvent_no_delete` BEFORE DELETE ON `AuditEvent` FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'AuditEvent is append-only: rows cannot be deleted';
