-- CreateTable
CREATE TABLE "instruments" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "fund_type" TEXT,
    "latest_date" TEXT,
    "latest_nav" REAL,
    "latest_acc_nav" REAL,
    "return_1m" REAL,
    "return_3m" REAL,
    "return_1y" REAL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "nav_series" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "dates" BLOB NOT NULL,
    "nav" BLOB NOT NULL,
    "acc_nav" BLOB NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "instruments_kind_idx" ON "instruments"("kind", "code");

-- CreateIndex
CREATE INDEX "instruments_fund_type_idx" ON "instruments"("fund_type", "code");

-- CreateIndex
CREATE INDEX "instruments_name_idx" ON "instruments"("name");
