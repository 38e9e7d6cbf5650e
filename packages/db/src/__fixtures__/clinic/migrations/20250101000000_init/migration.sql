-- CreateTable
CREATE TABLE `clinics` (
    `id` VARCHAR(36) NOT NULL,
    `name` VARCHAR(200) NOT NULL,
    `time_zone` VARCHAR(64) NOT NULL DEFAULT 'UTC',
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `patients` (
    `id` VARCHAR(36) NOT NULL,
    `clinic_id` VARCHAR(36) NOT NULL,
    `mrn` VARCHAR(32) NOT NULL,
    `given_name` VARCHAR(100) NOT NULL,
    `family_name` VARCHAR(100) NOT NULL,
    `email` VARCHAR(191) NULL,
    `birth_date` DATE NULL,
    `status` ENUM('ACTIVE', 'INACTIVE', 'deceased') NOT NULL DEFAULT 'ACTIVE',
    `notes` TEXT NULL,
    `history` LONGTEXT NULL,
    `extra` JSON NULL,
    `visit_count` INTEGER NOT NULL DEFAULT 0,
    `weight_grams` BIGINT NULL,
    `balance` DECIMAL(10, 2) NOT NULL DEFAULT 0,
    `deceased` BOOLEAN NOT NULL DEFAULT false,
    `version` INTEGER NOT NULL DEFAULT 1,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    INDEX `patients_clinic_id_family_name_given_name_idx`(`clinic_id`, `family_name`, `given_name`),
    INDEX `patients_clinic_id_created_at_idx`(`clinic_id`, `created_at` DESC),
    UNIQUE INDEX `patients_clinic_id_mrn_key`(`clinic_id`, `mrn`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `patient_tags` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `patient_id` VARCHAR(36) NOT NULL,
    `tag` VARCHAR(50) NOT NULL, -- a comment; with a semicolon

    UNIQUE INDEX `patient_tags_patient_tag_uq`(`patient_id`, `tag`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `patients` ADD CONSTRAINT `patients_clinic_id_fkey` FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `patient_tags` ADD CONSTRAINT `patient_tags_patient_id_fkey` FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
