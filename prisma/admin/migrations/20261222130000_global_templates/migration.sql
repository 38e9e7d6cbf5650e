-- CreateTable
CREATE TABLE `GlobalTemplate` (
    `id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(120) NOT NULL,
    `kind` ENUM('INTAKE', 'NOTE') NOT NULL,
    `currentVersion` INTEGER NOT NULL DEFAULT 1,
    `retired` BOOLEAN NOT NULL DEFAULT false,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,
    `publishedAt` DATETIME(3) NOT NULL,

    INDEX `GlobalTemplate_name_id_idx`(`name`, `id`),
    INDEX `GlobalTemplate_retired_name_id_idx`(`retired`, `name`, `id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `GlobalTemplateVersion` (
    `id` VARCHAR(36) NOT NULL,
    `templateId` VARCHAR(36) NOT NULL,
    `version` INTEGER NOT NULL,
    `name` VARCHAR(120) NOT NULL,
    `kind` ENUM('INTAKE', 'NOTE') NOT NULL,
    `fields` JSON NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `createdBy` VARCHAR(64) NOT NULL,

    UNIQUE INDEX `GlobalTemplateVersion_templateId_version_key`(`templateId`, `version`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `GlobalTemplateVersion` ADD CONSTRAINT `GlobalTemplateVersion_templateId_fkey` FOREIGN KEY (`templateId`) REFERENCES `GlobalTemplate`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
