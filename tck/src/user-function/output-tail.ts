/** Lines kept of a user function's output: enough to see why it failed, not a full log. */
export const OUTPUT_TAIL_LINES = 200;

/**
 * The last lines of a stream of output chunks. stdout and stderr are fed to
 * one tail, so their lines interleave roughly as they were written.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly maxLines = OUTPUT_TAIL_LINES) {}

  write(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === "string" ? chunk : chunk.toString("utf8"));
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  /** The kept lines, the unterminated last one included, joined with newlines. */
  text(): string {
    const all = this.partial === "" ? this.lines : [...this.lines, this.partial];
    return all.slice(-this.maxLines).join("\n");
  }
}

/** Renders a process's output for an error message or report, indented under a heading naming `what` printed it. */
export function formatOutputTail(output: string, indent = "  | ", what = "user function"): string {
  const text = output.trimEnd();
  if (text === "") return `${what} output: (nothing)`;
  const lines = text.split("\n");
  return `${what} output (last ${lines.length} line${lines.length === 1 ? "" : "s"}):\n${lines.map((l) => `${indent}${l}`).join("\n")}`;
}
