-- Issue 11: invitations are memberships a person accepts (signed in) before they are in any token.

-- CreateTable
CREATE TABLE `Invitation` (
    `id` VARCHAR(36) NOT NULL,
    `clinicId` VARCHAR(36) NOT NULL,
    `userId` VARCHAR(36) NOT NULL,
    `email` VARCHAR(254) NOT NULL,
    `firstName` VARCHAR(100) NOT NULL,
    `lastName` VARCHAR(100) NOT NULL,
    `roles` JSON NOT NULL,
    `invitedByKind` ENUM('STAFF', 'OPERATOR') NOT NULL,
    `invitedById` VARCHAR(36) NOT NULL,
    `invitedByName` VARCHAR(201) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `sentAt` DATETIME(3) NOT NULL,
    `expiresAt` DATETIME(3) NOT NULL,
    `acceptedAt` DATETIME(3) NULL,
    `declinedAt` DATETIME(3) NULL,
    `revokedAt` DATETIME(3) NULL,

    UNIQUE INDEX `Invitation_clinicId_userId_key`(`clinicId`, `userId`),
    INDEX `Invitation_clinicId_createdAt_idx`(`clinicId`, `createdAt`),
    INDEX `Invitation_userId_idx`(`userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `Invitation` ADD CONSTRAINT `Invitation_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
