-- visits(filter: { text }) was a LIKE '%…%' over reason, cancelReason and notes: a scan of the
-- clinic's rows (minutes at 500k rows, docs/benchmarks.md). It becomes one MATCH … AGAINST in
-- boolean mode over one FULLTEXT index on `searchText`: the visit's searchable words (reason,
-- cancelReason, notes and the diagnoses' codes and descriptions), written by archiveVisit
-- (subgraphs/visits/src/domain/search.ts) and by the seed generator.
--
-- Cost on a large table: ADD COLUMN (nullable, no default) is instant; the backfill rewrites every
-- row in one statement; the first FULLTEXT index of a table adds InnoDB's hidden FTS_DOC_ID column,
-- which rebuilds the table (writes wait meanwhile). The index is created after the backfill so it
-- is built once, by sorting, rather than row by row. Plan it as maintenance on millions of rows.

-- AlterTable
ALTER TABLE `HistoricVisit` ADD COLUMN `searchText` MEDIUMTEXT NULL;

-- Backfill. The diagnoses' codes and descriptions come from the JSON column with JSON_EXTRACT and a
-- `$[*]` path (valid in MySQL 8 and MariaDB 10.11): a JSON array's text, whose quotes, brackets and
-- commas the full-text parser treats as word separators, so it indexes the same words as the
-- application's format (one line per part; CHAR(10) rather than '\n', which NO_BACKSLASH_ESCAPES
-- would keep as two characters). NULL parts are skipped by CONCAT_WS.
UPDATE `HistoricVisit`
   SET `searchText` = CONCAT_WS(CHAR(10 USING utf8mb4), `reason`, `cancelReason`, `notes`,
                                JSON_EXTRACT(`diagnoses`, '$[*].code'), JSON_EXTRACT(`diagnoses`, '$[*].description'));

-- CreateIndex
CREATE FULLTEXT INDEX `HistoricVisit_searchText_idx` ON `HistoricVisit`(`searchText`);
