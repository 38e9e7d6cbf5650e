-- AlterTable: the copy of the template version chosen at check-in (DESIGN.md, "The visit")
ALTER TABLE `CurrentVisit` ADD COLUMN `template` JSON NULL;

-- CreateIndex: the operators' overview reads the clinic's latest patient change (MAX(updatedAt))
CREATE INDEX `Patient_clinicId_updatedAt_idx` ON `Patient`(`clinicId`, `updatedAt`);
