/** The web server's handle on the queue: the shared database, its engine connection and the task catalogue. */
import { getDatabase, type Database } from "@/db/client";
import { connOf, type Conn } from "@/queue/sql/executor";
import { registry } from "@/tasks";

export { registry };

/** The database and the engine connection of this process. */
export async function getQueue(): Promise<{ database: Database; conn: Conn }> {
  const database = await getDatabase();
  return { database, conn: connOf(database.db, database.provider) };
}
