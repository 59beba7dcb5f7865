-- AlterTable
ALTER TABLE "runs" ADD COLUMN "max_attempts" INTEGER;
