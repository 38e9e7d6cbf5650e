-- AlterTable: SMART Backend Services clients (issue 18) authenticate with their own key pair
-- (private_key_jwt): auth keeps their public JWKS and the SMART scopes an ADMIN granted; they have
-- no secret of auth's making.
ALTER TABLE `ApiClient`
    MODIFY `kind` ENUM('DISPLAY', 'SMART_BACKEND') NOT NULL,
    MODIFY `secretHash` CHAR(64) NULL,
    ADD COLUMN `publicJwks` JSON NULL,
    ADD COLUMN `scopes` JSON NULL;
