-- Sign-in attempts are reserved before the password is checked: one counter per key and
-- fixed 15-minute window, incremented and read back by one atomic upsert. The old table of
-- failures was read, then the password checked, then a failure written, so attempts sent at
-- once were all checked against the same count (33 of 40 against a limit of 5).
-- (Only the new table here: the rest of what migrate diff prints would undo the partial
-- indexes of migrations 0007 to 0009, which Prisma cannot express.)
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- DropTable
DROP TABLE "login_failures";

-- CreateTable
CREATE TABLE "login_limits" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "window_end" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "login_limits_window_idx" ON "login_limits"("window_end");
