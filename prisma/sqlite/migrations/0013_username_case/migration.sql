-- Usernames are unique whatever their case (SEC_VIEWER and sec_viewer are one name), and
-- sign-in finds a user whatever case is typed. username_key is lower(username), computed by
-- the database, with the unique index. Accounts that already differ only in case: the oldest
-- keeps its name, each later one gets a dash and its id appended (an admin can see them on
-- the users page and delete the ones nobody needs).

UPDATE "users" SET "username" = "username" || '-' || "id"
WHERE "id" NOT IN (SELECT MIN("id") FROM "users" GROUP BY lower("username"));

-- AlterTable
ALTER TABLE "users" ADD COLUMN "username_key" TEXT GENERATED ALWAYS AS (lower("username")) VIRTUAL;

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key_key" ON "users"("username_key");
