-- CreateTable
CREATE TABLE "instruments" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "fund_type" TEXT,
    "latest_date" TEXT,
    "latest_nav" DOUBLE PRECISION,
    "latest_acc_nav" DOUBLE PRECISION,
    "return_1m" DOUBLE PRECISION,
    "return_3m" DOUBLE PRECISION,
    "return_1y" DOUBLE PRECISION,
    "points" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "instruments_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "nav_series" (
    "code" TEXT NOT NULL,
    "dates" BYTEA NOT NULL,
    "nav" BYTEA NOT NULL,
    "acc_nav" BYTEA NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "nav_series_pkey" PRIMARY KEY ("code")
);

-- CreateIndex
CREATE INDEX "instruments_kind_idx" ON "instruments"("kind", "code");

-- CreateIndex
CREATE INDEX "instruments_fund_type_idx" ON "instruments"("fund_type", "code");

-- CreateIndex
CREATE INDEX "instruments_name_idx" ON "instruments"("name");
