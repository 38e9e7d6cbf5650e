-- CreateTable
CREATE TABLE `StaffMember` (
    `clinicId` VARCHAR(36) NOT NULL,
    `userId` VARCHAR(36) NOT NULL,
    `displayName` VARCHAR(201) NOT NULL,
    `refreshedAt` DATETIME(3) NOT NULL,

    PRIMARY KEY (`clinicId`, `userId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
