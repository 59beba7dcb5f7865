-- Corporate actions beside each series: cash dividends and splits as Float64 triples
-- (yyyymmdd, dividend, split), see src/domain/series.ts. NULL marks a row stored before
-- actions existed: the launcher infers its dividends from unit and accumulated NAV once and
-- stores them (an empty value when there are none).

-- AlterTable
ALTER TABLE "nav_series" ADD COLUMN "actions" BYTEA;

-- The adjusted NAV (dividends reinvested) at the last point, beside unit and accumulated NAV.

-- AlterTable
ALTER TABLE "instruments" ADD COLUMN "latest_adj_nav" DOUBLE PRECISION;
