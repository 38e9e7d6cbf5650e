-- CreateTable: a clinic's registered clients (issue 17: waiting-room displays)
CREATE TABLE `ApiClient` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `kind` ENUM('DISPLAY') NOT NULL,
    `name` VARCHAR(120) NOT NULL,
    `secretHash` CHAR(64) NOT NULL,
    `permissions` JSON NOT NULL,
    `createdBy` VARCHAR(36) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `lastUsedAt` DATETIME(3) NULL,
    `revokedAt` DATETIME(3) NULL,
    `revokedBy` VARCHAR(36) NULL,

    INDEX `ApiClient_clinicId_createdAt_idx`(`clinicId`, `createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
