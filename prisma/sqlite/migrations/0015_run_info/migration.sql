-- What a run ran, as the handler reports it (JSON): for a script task the command line, the
-- process id, the host, and the exit code or signal. NULL for runs that report nothing.

-- AlterTable
ALTER TABLE "runs" ADD COLUMN "info" TEXT;
