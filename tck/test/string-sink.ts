// A Writable that keeps what is written, for asserting on reporter and CLI output.
import { Writable } from "node:stream";

export class StringSink extends Writable {
  text = "";

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    callback();
  }
}
