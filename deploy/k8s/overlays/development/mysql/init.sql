-- Runs once, on the first start of the MySQL container (docker-compose.yml), before users.sh: one
-- database per service (DESIGN.md: each service owns one database). users.sh then creates one user
-- per service, with the password from the environment, that can touch only its own database.

CREATE DATABASE IF NOT EXISTS `clinicult_auth`     CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_users`    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_admin`    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_patients` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_visits`   CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_clinic`   CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `clinicult_audit`    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
