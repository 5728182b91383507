import { readdirSync, readFileSync } from "node:fs";

/** Sends `signal` to every process of the group; a group that is gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: where
 * PID 1 is not a real init (many containers), orphaned children that exited
 * are never reaped, yet kill() still finds them.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    // No /proc (macOS): trust kill().
    return true;
  }
  return pids.some((pid) => isLiveMember(pid, pgid));
}

function isLiveMember(pid: string, pgid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[0] !== "Z" && fields[2] === String(pgid);
}
