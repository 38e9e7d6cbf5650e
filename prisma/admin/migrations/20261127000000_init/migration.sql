-- CreateTable
CREATE TABLE `Clinic` (
    `id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(200) NOT NULL,
    `status` ENUM('ACTIVE', 'SUSPENDED') NOT NULL DEFAULT 'ACTIVE',
    `cluster` VARCHAR(32) NOT NULL DEFAULT 'eu-1',
    `timeZone` VARCHAR(64) NOT NULL,
    `suspendedReason` VARCHAR(500) NULL,
    `suspendedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Clinic_name_key`(`name`),
    INDEX `Clinic_name_id_idx`(`name`, `id`),
    INDEX `Clinic_status_idx`(`status`),
    PRIMARY KEY (`id`)
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
