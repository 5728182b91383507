// Command-line flags of the bench programs: `--name value` or `--name=value`, nothing else.

/** The flags of a command line, by name without dashes. */
export class Flags {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[]) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? "";
      if (!arg.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
      const eq = arg.indexOf("=");
      if (eq >= 0) {
        this.values.set(arg.slice(2, eq), arg.slice(eq + 1));
        continue;
      }
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) this.values.set(arg.slice(2), "true");
      else {
        this.values.set(arg.slice(2), next);
        i++;
      }
    }
  }

  string(name: string, fallback?: string): string {
    const value = this.values.get(name) ?? fallback;
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
  }

  number(name: string, fallback?: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) {
      if (fallback === undefined) throw new Error(`--${name} is required`);
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${JSON.stringify(raw)}`);
    return value;
  }

  flag(name: string): boolean {
    const raw = this.values.get(name);
    return raw !== undefined && raw !== "false";
  }
}
