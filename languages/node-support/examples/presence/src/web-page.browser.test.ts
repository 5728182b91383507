// The example's web page (web/) in headless Chromium: one page connects as a user, another
// watches that user, both through the reference proxy's HTTP/JSON frontend, as a browser would
// use it. The page is served from its own origin, so the calls are cross-origin (CORS).
// Needs `npx tsc --build` first, and Chromium (scripts/ensure-chromium.sh installs it).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { runBehindProxy, type RunningExample } from "../../test-support/behind-proxy.js";

const WEB_DIR = fileURLToPath(new URL("../web", import.meta.url));
const CONTENT_TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
/** How long the page may take to show a change: a streamed message through the proxy. */
const SHOWN_WITHIN_MS = 10_000;

let example: RunningExample | undefined;
let pages: Server | undefined;
let pageUrl: string;
let browser: Browser | undefined;
/** Uncaught errors of any page's script; each test expects none. */
const pageErrors: Error[] = [];

beforeAll(async () => {
  example = await runBehindProxy(fileURLToPath(new URL("..", import.meta.url)));
  pages = await servePages();
  const address = pages.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  pageUrl = `http://127.0.0.1:${port}/index.html?proxy=${encodeURIComponent(example.httpUrl)}`;
  // As root (CI), Chromium only starts without its sandbox.
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pages?.close(resolve) ?? resolve(undefined));
  await example?.stop();
}, 30_000);

describe("the presence page in a browser", () => {
  it("shows a user online while another page is connected as that user, offline after it disconnects", async () => {
    const watcher = await openPage();
    await watch(watcher, "alice");
    await expectShown(watcher, "alice", false);

    const alice = await openPage();
    await alice.fill("#me", "alice");
    await alice.click("#connect");
    await expectShown(watcher, "alice", true);

    await alice.click("#connect"); // now labelled Disconnect
    await expectShown(watcher, "alice", false);
    expect(await watcher.textContent("#error")).toBe("");
    await alice.close();
    await watcher.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("shows a user offline once the last page connected as that user is closed", async () => {
    const watcher = await openPage();
    await watch(watcher, "bob");
    const first = await openPage();
    const second = await openPage();
    for (const page of [first, second]) {
      await page.fill("#me", "bob");
      await page.click("#connect");
    }
    await expectShown(watcher, "bob", true);

    await first.close();
    // Still connected from the second page: closing the first changes nothing the watcher sees.
    await expect(waitShown(watcher, "bob", false, 1000)).rejects.toThrow();
    await second.close();
    await expectShown(watcher, "bob", false);
    expect(await watcher.textContent("#error")).toBe("");
    await watcher.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});

async function openPage(): Promise<Page> {
  if (browser === undefined) throw new Error("the browser did not start");
  const page = await browser.newPage();
  page.on("pageerror", (error) => pageErrors.push(error));
  await page.goto(pageUrl);
  return page;
}

async function watch(page: Page, name: string): Promise<void> {
  await page.fill("#who", name);
  await page.click("#watch");
}

function waitShown(page: Page, name: string, online: boolean, timeout: number): Promise<unknown> {
  return page.waitForSelector(`#watched li[data-user="${name}"][data-online="${String(online)}"]`, { timeout });
}

async function expectShown(page: Page, name: string, online: boolean): Promise<void> {
  await waitShown(page, name, online, SHOWN_WITHIN_MS);
  expect(await page.textContent(`#watched li[data-user="${name}"]`)).toBe(`${name}: ${online ? "online" : "offline"}`);
}

/** Serves web/ on a free loopback port: the page's own origin, not the proxy's. */
async function servePages(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const file = join(WEB_DIR, path === "/" ? "index.html" : path.slice(1));
    if (!file.startsWith(WEB_DIR)) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Chromium from CHROMIUM_PATH or the PATH; a clear error when there is none. */
function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "chromium", "chromium-browser", "google-chrome"].filter((c): c is string => c !== undefined && c !== "");
  for (const candidate of candidates) {
    try {
      return execFileSync("sh", ["-c", `command -v "$1"`, "sh", candidate], { encoding: "utf8" }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error("no Chromium found: run scripts/ensure-chromium.sh, or set CHROMIUM_PATH");
}
