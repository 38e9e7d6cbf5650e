-- Issue 13: identity changes arrive as events (users: memberships, account status; admin: clinic
-- access). Each row remembers the instant of the newest change applied, so an older or replayed
-- event changes nothing.

-- AlterTable
ALTER TABLE `Credential` ADD COLUMN `accessChangedAt` DATETIME(3) NULL;

-- AlterTable
ALTER TABLE `Membership` ADD COLUMN `changedAt` DATETIME(3) NULL;

-- AlterTable
ALTER TABLE `ClinicStatus` ADD COLUMN `accessChangedAt` DATETIME(3) NULL;
