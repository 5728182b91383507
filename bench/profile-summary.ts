// Summarises a V8 CPU profile (node --cpu-prof) by self time: the top functions, and the time by
// area (the proxy's own files, grpc-js, protobuf, prom-client, node internals, GC, idle).
//
//   node bench/dist/profile-summary.js reports/profiles/proxy-memory.cpuprofile [--top 25]

import { readFileSync } from "node:fs";
import { Flags } from "./args.js";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a function lives, coarse enough to name a cost. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === "") {
    if (functionName === "(idle)" || functionName === "(program)" || functionName === "(garbage collector)") return functionName;
    return "(native)";
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  const local = /\/(proxy|proto|languages\/node-support|bench)\/dist\/(.*)$/.exec(url);
  if (local?.[1] !== undefined && local[2] !== undefined) return `${local[1]}/${local[2].split("/").slice(0, -1).join("/") || "."}`;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0] ?? ""}`;
  return url;
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|dist)\//, "").replace(/^file:\/\//, "");
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
}

/** Self time by function and by area, in ms, largest first. */
function summarise(profile: Profile): { total: number; functions: [string, number][]; areas: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (node === undefined) return;
    total += ms;
    const name = label(node.callFrame);
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { total, functions: sorted(functions), areas: sorted(areas) };
}

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.shift();
  if (file === undefined) throw new Error("usage: profile-summary <file.cpuprofile> [--top 25]");
  const top = new Flags(argv).number("top", 25);
  const { total, functions, areas } = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile);
  const idle = areas.find(([a]) => a === "(idle)")?.[1] ?? 0;
  const busy = total - idle;
  const pct = (ms: number): string => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${file}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (percentages of busy time)`, "", "by area:"];
  for (const [area, ms] of areas.filter(([a]) => a !== "(idle)").slice(0, top)) lines.push(`  ${pct(ms)}  ${area}`);
  lines.push("", "by function (self time):");
  for (const [name, ms] of functions.filter(([f]) => !f.startsWith("(idle)")).slice(0, top)) lines.push(`  ${pct(ms)}  ${name}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

main();
