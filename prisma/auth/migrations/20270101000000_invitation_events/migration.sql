-- Issue 13: invitations arrive as identity events from users (invitation.sent, invitation.closed)
-- instead of calls inside users' transaction. What auth last applied of each invitation: a sending
-- or a closing older than it (a replay, an overtaken retry) changes nothing, so no mail goes twice
-- and no link is issued for an invitation already withdrawn.

-- CreateTable
CREATE TABLE `InvitationState` (
    `invitationId` VARCHAR(36) NOT NULL,
    `changedAt` DATETIME(3) NOT NULL,
    `closed` BOOLEAN NOT NULL DEFAULT false,

    PRIMARY KEY (`invitationId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
