-- AlterTable
ALTER TABLE `ArchiveOutbox` ADD COLUMN `attempts` INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN `refusals` INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN `lastError` VARCHAR(1000) NULL,
    ADD COLUMN `lastAttemptAt` DATETIME(3) NULL,
    ADD COLUMN `nextAttemptAt` DATETIME(3) NULL,
    ADD COLUMN `claimedBy` VARCHAR(100) NULL,
    ADD COLUMN `claimedUntil` DATETIME(3) NULL,
    ADD COLUMN `parkedAt` DATETIME(3) NULL;

-- CreateIndex
CREATE INDEX `ArchiveOutbox_deliveredAt_parkedAt_createdAt_idx` ON `ArchiveOutbox`(`deliveredAt`, `parkedAt`, `createdAt`);
