import { describe, expect, it } from "@jest/globals";
import { formatOutputTail, OutputTail } from "./output-tail.js";

describe("OutputTail", () => {
  it("joins chunks into lines, whatever the chunk boundaries, keeping an unterminated last line", () => {
    const tail = new OutputTail();
    for (const chunk of ["fir", "st\r\nsec", "ond\n", Buffer.from("thi"), "rd"]) tail.write(chunk);
    expect(tail.text()).toBe("first\nsecond\nthird");
  });

  it("keeps only the last lines", () => {
    const tail = new OutputTail(3);
    tail.write("1\n2\n3\n4\n5\n");
    expect(tail.text()).toBe("3\n4\n5");
    tail.write("6");
    expect(tail.text()).toBe("4\n5\n6");
  });
});

describe("formatOutputTail", () => {
  it("indents the output under a heading", () => {
    expect(formatOutputTail("a\nb\n\n")).toBe("user function output (last 2 lines):\n  | a\n  | b");
    expect(formatOutputTail("a")).toBe("user function output (last 1 line):\n  | a");
    expect(formatOutputTail("  \n")).toBe("user function output: (nothing)");
  });
});
