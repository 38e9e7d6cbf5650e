-- AlterTable (issue 17): the queue's long-wait thresholds per visit state, and the clinic's default language
ALTER TABLE `ClinicSettings` ADD COLUMN `waitThresholds` JSON NULL,
    ADD COLUMN `defaultLocale` VARCHAR(10) NOT NULL DEFAULT 'en';
