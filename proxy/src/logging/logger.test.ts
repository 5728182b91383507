import { describe, expect, it } from "@jest/globals";
import { createLogger, isLogLevel, type LogLevel, silentLogger } from "./logger.js";

function capture(level: LogLevel = "debug") {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: { write: (chunk: string) => lines.push(chunk) },
    now: () => new Date("2024-01-02T03:04:05.678Z"),
  });
  const records = (): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, msg, then fields", () => {
    const { logger, lines } = capture();
    logger.info("entity started", { service: "shop.Cart", entityId: "c1" });
    expect(lines).toEqual([
      '{"time":"2024-01-02T03:04:05.678Z","level":"info","msg":"entity started","service":"shop.Cart","entityId":"c1"}\n',
    ]);
  });

  it.each<[LogLevel, string[]]>([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
  ])("at level %s writes %j", (level, expected) => {
    const { logger, records } = capture(level);
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(records().map((r) => r["level"])).toEqual(expected);
    expect(logger.isEnabled("debug")).toBe(level === "debug");
  });

  it("binds fields in child loggers; record fields override bound ones", () => {
    const { logger, records } = capture();
    const child = logger.child({ service: "shop.Cart" }).child({ entityId: "c1" });
    child.warn("slow", { entityId: "c2", commandId: 7n });
    expect(records()).toEqual([
      {
        time: "2024-01-02T03:04:05.678Z",
        level: "warn",
        msg: "slow",
        service: "shop.Cart",
        entityId: "c2",
        commandId: "7",
      },
    ]);
    expect(child.level).toBe("debug");
  });

  it("does not let fields hide the record keys", () => {
    const { logger, records } = capture();
    logger.info("real", { msg: "fake", level: "x", time: 1 });
    expect(records()[0]).toMatchObject({ msg: "real", level: "info", _msg: "fake", _level: "x", _time: 1 });
  });

  it("renders errors with name, message and stack", () => {
    const { logger, records } = capture();
    const err = Object.assign(new Error("boom"), { code: 14 });
    logger.error("store failed", { err });
    const rendered = records()[0]?.["err"] as Record<string, unknown>;
    expect(rendered).toMatchObject({ name: "Error", message: "boom", code: 14 });
    expect(typeof rendered["stack"]).toBe("string");
  });

  it("keeps the record when a field cannot be serialized", () => {
    const { logger, records } = capture();
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    logger.info("still here", { circular });
    expect(records()).toEqual([
      expect.objectContaining({ msg: "still here", logError: "fields could not be serialized" }),
    ]);
  });

  it("silentLogger writes nothing and reports no level enabled", () => {
    expect(silentLogger.isEnabled("error")).toBe(false);
    expect(silentLogger.child({ a: 1 })).toBe(silentLogger);
  });

  it("recognises level names", () => {
    expect(["debug", "info", "warn", "error", "trace", "toString"].map(isLogLevel)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
