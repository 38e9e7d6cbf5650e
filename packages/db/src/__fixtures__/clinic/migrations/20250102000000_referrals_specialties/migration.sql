-- CreateTable
CREATE TABLE `referrals` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `patient_id` VARCHAR(36) NULL,
    `reason` VARCHAR(255) NOT NULL,
    `priority` TINYINT NOT NULL DEFAULT 3,
    `score` DOUBLE NULL,

    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `specialties` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(80) NOT NULL,

    UNIQUE INDEX `specialties_name_key`(`name`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `_ClinicToSpecialty` (
    `A` VARCHAR(36) NOT NULL,
    `B` INTEGER NOT NULL,

    UNIQUE INDEX `_ClinicToSpecialty_AB_unique`(`A`, `B`),
    INDEX `_ClinicToSpecialty_B_index`(`B`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Seed one row with awkward text: a ';' and quotes inside literals must not split the statement.
INSERT INTO `specialties` (`name`) VALUES ('General; family medicine'), ('O''Brien "quoted" clinic');

-- AddForeignKey
ALTER TABLE `referrals` ADD CONSTRAINT `referrals_patient_fk` FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `_ClinicToSpecialty` ADD CONSTRAINT `_ClinicToSpecialty_A_fkey` FOREIGN KEY (`A`) REFERENCES `clinics`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `_ClinicToSpecialty` ADD CONSTRAINT `_ClinicToSpecialty_B_fkey` FOREIGN KEY (`B`) REFERENCES `specialties`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
