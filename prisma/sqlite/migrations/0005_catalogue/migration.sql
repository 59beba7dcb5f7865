-- AlterTable
ALTER TABLE "schedules" ADD COLUMN "after_close_minutes" INTEGER;
ALTER TABLE "schedules" ADD COLUMN "catalogue_hash" TEXT;
ALTER TABLE "schedules" ADD COLUMN "description" TEXT;

-- CreateTable
CREATE TABLE "schedule_backfills" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "schedule_id" INTEGER NOT NULL,
    "batch_id" TEXT NOT NULL,
    "from_date" TEXT NOT NULL,
    "to_date" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedule_backfills_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "market_records" (
    "dataset" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "updated_at" DATETIME NOT NULL,

    PRIMARY KEY ("dataset", "code", "date")
);

-- CreateIndex
CREATE INDEX "schedule_backfills_schedule_idx" ON "schedule_backfills"("schedule_id", "created_at");

-- CreateIndex
CREATE INDEX "market_records_dataset_date_idx" ON "market_records"("dataset", "date");
