-- Regions (issue 16): the cluster that serves each clinic, from admin's clinic.placed, named in the clinic's tokens (`cl`)
ALTER TABLE `ClinicStatus` ADD COLUMN `cluster` VARCHAR(32) NULL;
