-- CreateTable
CREATE TABLE `ClinicSettings` (
    `clinicId` VARCHAR(36) NOT NULL,
    `address` VARCHAR(500) NULL,
    `phone` VARCHAR(40) NULL,
    `openingHours` JSON NOT NULL,
    `visitReasons` JSON NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    PRIMARY KEY (`clinicId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Template` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `name` VARCHAR(120) NOT NULL,
    `kind` ENUM('INTAKE', 'NOTE') NOT NULL,
    `active` BOOLEAN NOT NULL DEFAULT true,
    `currentVersion` INTEGER NOT NULL,
    `globalTemplateId` VARCHAR(36) NULL,
    `globalVersion` INTEGER NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Template_clinicId_globalTemplateId_key`(`clinicId`, `globalTemplateId`),
    INDEX `Template_clinicId_kind_active_idx`(`clinicId`, `kind`, `active`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `TemplateVersion` (
    `id` VARCHAR(36) NOT NULL,
    `templateId` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `version` INTEGER NOT NULL,
    `name` VARCHAR(120) NOT NULL,
    `kind` ENUM('INTAKE', 'NOTE') NOT NULL,
    `fields` JSON NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `createdBy` VARCHAR(64) NOT NULL,

    UNIQUE INDEX `TemplateVersion_templateId_version_key`(`templateId`, `version`),
    INDEX `TemplateVersion_clinicId_templateId_idx`(`clinicId`, `templateId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `CatalogTemplate` (
    `globalTemplateId` VARCHAR(36) NOT NULL,
    `name` VARCHAR(120) NOT NULL,
    `kind` ENUM('INTAKE', 'NOTE') NOT NULL,
    `version` INTEGER NOT NULL,
    `fields` JSON NOT NULL,
    `retired` BOOLEAN NOT NULL DEFAULT false,
    `publishedAt` DATETIME(3) NOT NULL,
    `updatedAt` DATETIME(3) NOT NULL,

    PRIMARY KEY (`globalTemplateId`)
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
ALTER TABLE `TemplateVersion` ADD CONSTRAINT `TemplateVersion_templateId_fkey` FOREIGN KEY (`templateId`) REFERENCES `Template`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
