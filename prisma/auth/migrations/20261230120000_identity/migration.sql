-- Issue 11 (identity): links by email only, a durable mail outbox, per-clinic session cut-offs,
-- second factors. Invitations become account links that also serve password resets.

-- AlterTable
ALTER TABLE `Credential` ADD COLUMN `passkeyChallenge` VARCHAR(128) NULL,
    ADD COLUMN `passkeyChallengeExpiresAt` DATETIME(3) NULL;

-- AlterTable: removed memberships keep their row (roles []) so the clinic's cut-off survives
ALTER TABLE `Membership` ADD COLUMN `tokensValidAfter` DATETIME(3) NULL;

-- AlterTable
ALTER TABLE `ClinicStatus` ADD COLUMN `mfaRequired` BOOLEAN NOT NULL DEFAULT false;

-- Invitation → AccountLink (links issued before this migration stay valid)
ALTER TABLE `Invitation` DROP FOREIGN KEY `Invitation_userId_fkey`;
RENAME TABLE `Invitation` TO `AccountLink`;
ALTER TABLE `AccountLink` ADD COLUMN `purpose` ENUM('INVITATION', 'PASSWORD_RESET') NOT NULL DEFAULT 'INVITATION',
    ADD COLUMN `invitationId` VARCHAR(36) NULL,
    ADD COLUMN `revokedAt` DATETIME(3) NULL;
ALTER TABLE `AccountLink` DROP INDEX `Invitation_userId_idx`;
ALTER TABLE `AccountLink` RENAME INDEX `Invitation_tokenHash_key` TO `AccountLink_tokenHash_key`;
CREATE INDEX `AccountLink_userId_purpose_idx` ON `AccountLink`(`userId`, `purpose`);
CREATE INDEX `AccountLink_invitationId_idx` ON `AccountLink`(`invitationId`);
ALTER TABLE `AccountLink` ADD CONSTRAINT `AccountLink_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `Credential`(`userId`) ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE `MailMessage` (
    `id` VARCHAR(36) NOT NULL,
    `kind` ENUM('INVITATION', 'MEMBERSHIP_INVITATION', 'PASSWORD_RESET', 'PASSWORD_CHANGED', 'SECOND_FACTORS_REMOVED') NOT NULL,
    `toAddress` VARCHAR(254) NOT NULL,
    `subject` VARCHAR(300) NOT NULL,
    `textBody` TEXT NOT NULL,
    `userId` VARCHAR(36) NULL,
    `clinicId` VARCHAR(36) NULL,
    `invitationId` VARCHAR(36) NULL,
    `status` ENUM('PENDING', 'SENT', 'FAILED') NOT NULL DEFAULT 'PENDING',
    `attempts` INTEGER NOT NULL DEFAULT 0,
    `nextAttemptAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `claimedUntil` DATETIME(3) NULL,
    `lastError` VARCHAR(500) NULL,
    `sentAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    INDEX `MailMessage_status_nextAttemptAt_idx`(`status`, `nextAttemptAt`),
    INDEX `MailMessage_invitationId_createdAt_idx`(`invitationId`, `createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `TotpFactor` (
    `userId` VARCHAR(36) NOT NULL,
    `secret` VARCHAR(255) NOT NULL,
    `confirmedAt` DATETIME(3) NULL,
    `lastUsedStep` BIGINT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    PRIMARY KEY (`userId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Passkey` (
    `id` VARCHAR(255) NOT NULL,
    `userId` VARCHAR(36) NOT NULL,
    `publicKey` BLOB NOT NULL,
    `counter` BIGINT NOT NULL DEFAULT 0,
    `transports` JSON NULL,
    `name` VARCHAR(100) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `lastUsedAt` DATETIME(3) NULL,

    INDEX `Passkey_userId_idx`(`userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `RecoveryCode` (
    `id` VARCHAR(36) NOT NULL,
    `userId` VARCHAR(36) NOT NULL,
    `codeHash` VARCHAR(64) NOT NULL,
    `usedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `RecoveryCode_codeHash_key`(`codeHash`),
    INDEX `RecoveryCode_userId_idx`(`userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `LoginChallenge` (
    `id` VARCHAR(64) NOT NULL,
    `userId` VARCHAR(36) NOT NULL,
    `purpose` ENUM('VERIFY', 'ENROL') NOT NULL,
    `clinicId` VARCHAR(36) NULL,
    `webauthnChallenge` VARCHAR(128) NULL,
    `attempts` INTEGER NOT NULL DEFAULT 0,
    `expiresAt` DATETIME(3) NOT NULL,
    `usedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `LoginChallenge_userId_idx`(`userId`),
    INDEX `LoginChallenge_expiresAt_idx`(`expiresAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `TotpFactor` ADD CONSTRAINT `TotpFactor_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `Credential`(`userId`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `Passkey` ADD CONSTRAINT `Passkey_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `Credential`(`userId`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `RecoveryCode` ADD CONSTRAINT `RecoveryCode_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `Credential`(`userId`) ON DELETE CASCADE ON UPDATE CASCADE;
