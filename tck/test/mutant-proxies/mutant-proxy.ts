// A mutant proxy is the reference proxy (proxy/dist) with one seeded fault,
// made without touching the proxy's source: the compiled proxy is copied and
// one compiled file of the copy is patched textually. The copy lives under
// proxy/.mutants/<name>-<pid>/ (git-ignored; the pid keeps overlapping test
// runs apart) so that its imports of workspace and npm packages resolve
// exactly as the original's do, by walking up to the repository's
// node_modules, and so that `../package.json` (read for the proxy's version)
// is found beside its dist.
import { cpSync, existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The reference proxy's package directory. */
export const PROXY_DIR = fileURLToPath(new URL("../../../proxy", import.meta.url));
/** Where mutant copies are built; git-ignored, removed after each use. */
export const MUTANTS_DIR = join(PROXY_DIR, ".mutants");

/** One seeded fault of the proxy and what the TCK must say about it. */
export interface ProxyMutant {
  /** Kebab-case name; also the start of its directory's name under proxy/.mutants. */
  readonly name: string;
  /** The spec statement(s) the fault breaks, e.g. `ES-19`. */
  readonly rule: string;
  /** What the mutant does differently from the reference proxy, in one sentence. */
  readonly fault: string;
  /** The compiled file patched, relative to proxy/dist. */
  readonly file: string;
  /** Text of that file that must occur exactly once... */
  readonly find: string;
  /** ...and what it is replaced with. */
  readonly replace: string;
  /**
   * The runtime configuration of tck.proxy.yaml the mutant's cases run in
   * (e.g. `passivate-every-command`); unset: the main run.
   */
  readonly configuration?: string;
  /** Case-name patterns (`*` = any characters) of the cases run against the mutant. */
  readonly run: readonly string[];
  /**
   * Case-name patterns the mutant must fail: each must match at least one
   * case that ran, and every case that ran and matches must fail.
   */
  readonly mustFail: readonly string[];
}

/** The patch no longer applies: the compiled proxy changed, so the mutant would test nothing. */
export class PatchError extends Error {
  constructor(mutant: string, file: string, found: number) {
    super(`mutant ${mutant}: the text to patch occurs ${found} times in proxy/dist/${file} (it must occur exactly once); update the mutant to the proxy's code`);
    this.name = "PatchError";
  }
}

/** How many times `find` occurs in `text` (non-overlapping). */
export function occurrences(text: string, find: string): number {
  if (find === "") return 0;
  return text.split(find).length - 1;
}

/** The patched text of a compiled file; throws PatchError unless `find` occurs exactly once. */
export function patched(mutant: ProxyMutant, text: string): string {
  const found = occurrences(text, mutant.find);
  if (found !== 1) throw new PatchError(mutant.name, mutant.file, found);
  return text.replace(mutant.find, () => mutant.replace);
}

/** A built mutant proxy: run `node dist/cli.js` in `dir`. */
export interface MutantProxyCopy {
  readonly dir: string;
  remove(): void;
}

/** Copies proxy/dist (and package.json) to proxy/.mutants/<name>-<pid>/ and applies the mutant's patch. */
export function buildMutantProxy(mutant: ProxyMutant): MutantProxyCopy {
  const source = join(PROXY_DIR, "dist");
  if (!existsSync(join(source, "cli.js"))) throw new Error(`${source}/cli.js is missing: run npx tsc --build first`);
  const dir = join(MUTANTS_DIR, `${mutant.name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    // The last mutant out removes the directory they share.
    try {
      rmdirSync(MUTANTS_DIR);
    } catch {
      // Not empty (another mutant is still built) or already gone.
    }
  };
  try {
    // Source maps and declarations are not needed to run it.
    cpSync(source, join(dir, "dist"), { recursive: true, filter: (path) => !path.endsWith(".map") && !path.endsWith(".d.ts") });
    cpSync(join(PROXY_DIR, "package.json"), join(dir, "package.json"));
    const file = join(dir, "dist", mutant.file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, patched(mutant, readFileSync(file, "utf8")));
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}
