-- AlterTable (issue 17): a person's language is their own choice, else their clinic's default. Until now
-- nobody could choose, so the stored 'en' was the column's default, not a choice: it becomes "not chosen".
ALTER TABLE `User` MODIFY `locale` VARCHAR(16) NULL;
UPDATE `User` SET `locale` = NULL WHERE `locale` = 'en';
