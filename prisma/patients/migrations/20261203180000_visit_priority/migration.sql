-- AlterTable: a visit's priority (issue 17): urgent visits first on the queue board
ALTER TABLE `CurrentVisit` ADD COLUMN `priority` ENUM('URGENT', 'ROUTINE') NOT NULL DEFAULT 'ROUTINE';

-- the board's order is now priority, then check-in time
DROP INDEX `CurrentVisit_clinicId_checkedInAt_id_idx` ON `CurrentVisit`;
CREATE INDEX `CurrentVisit_clinicId_priority_checkedInAt_id_idx` ON `CurrentVisit`(`clinicId`, `priority`, `checkedInAt`, `id`);
