-- Runs once, on the first start of the MySQL container (docker-compose.yml): one database per
-- service and one user per service that can touch only its own database (DESIGN.md: each service
-- owns one database). The migrate job uses the same users, so each can create its own tables.
--
-- The passwords are for a local stack only. For anything else, change them here and in the
-- DATABASE_URL values of docker-compose.yml (or provision the users another way).
-- mysql_native_password: MySQL 8.4 turns it on with --mysql-native-password=ON (see compose);
-- the mariadb driver then needs no RSA key exchange over an unencrypted internal network.

CREATE DATABASE IF NOT EXISTS `clinicult_auth`     CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_users`    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_admin`    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_patients` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_visits`   CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_clinic`   CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_audit`    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'auth'@'%'     IDENTIFIED WITH mysql_native_password BY 'clinicult-auth-dev';
CREATE USER IF NOT EXISTS 'users'@'%'    IDENTIFIED WITH mysql_native_password BY 'clinicult-users-dev';
CREATE USER IF NOT EXISTS 'admin'@'%'    IDENTIFIED WITH mysql_native_password BY 'clinicult-admin-dev';
CREATE USER IF NOT EXISTS 'patients'@'%' IDENTIFIED WITH mysql_native_password BY 'clinicult-patients-dev';
CREATE USER IF NOT EXISTS 'visits'@'%'   IDENTIFIED WITH mysql_native_password BY 'clinicult-visits-dev';
CREATE USER IF NOT EXISTS 'clinic'@'%'   IDENTIFIED WITH mysql_native_password BY 'clinicult-clinic-dev';
CREATE USER IF NOT EXISTS 'audit'@'%'    IDENTIFIED WITH mysql_native_password BY 'clinicult-audit-dev';

GRANT ALL PRIVILEGES ON `clinicult_auth`.*     TO 'auth'@'%';
GRANT ALL PRIVILEGES ON `clinicult_users`.*    TO 'users'@'%';
GRANT ALL PRIVILEGES ON `clinicult_admin`.*    TO 'admin'@'%';
GRANT ALL PRIVILEGES ON `clinicult_patients`.* TO 'patients'@'%';
GRANT ALL PRIVILEGES ON `clinicult_visits`.*   TO 'visits'@'%';
GRANT ALL PRIVILEGES ON `clinicult_clinic`.*   TO 'clinic'@'%';
GRANT ALL PRIVILEGES ON `clinicult_audit`.*    TO 'audit'@'%';

FLUSH PRIVILEGES;
