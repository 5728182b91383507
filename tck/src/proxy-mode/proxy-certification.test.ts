import { describe, expect, it } from "@jest/globals";
import { PROXY_FIXTURE_CASES } from "../../test/fixture-paths.js";
import { loadCases } from "../cases/case-loader.js";
import type { RuntimeConfiguration } from "../config/tck-config.js";
import { injectsFaults, selects } from "./proxy-certification.js";

const rc = (cases: string[], excludeCases: string[] = []): RuntimeConfiguration => ({
  name: "r",
  proxyArgs: ["--x"],
  proxyEnv: {},
  userFunctionEnv: {},
  cases,
  excludeCases,
  checkIntercepted: false,
});

describe("which cases a runtime configuration runs", () => {
  it.each([
    ["every case without patterns", rc([]), "Proxy/A/b", true],
    ["a matching pattern", rc(["Proxy/A/*"]), "Proxy/A/b", true],
    ["any of several patterns", rc(["Proxy/X/*", "Proxy/A/*"]), "Proxy/A/b", true],
    ["no matching pattern", rc(["Proxy/X/*"]), "Proxy/A/b", false],
    ["a pattern without * (contains)", rc(["A/"]), "Proxy/A/b", true],
    ["an excluded case", rc(["Proxy/*"], ["*/b"]), "Proxy/A/b", false],
    ["an exclusion alone", rc([], ["Proxy/A/*"]), "Proxy/A/b", false],
  ])("%s", (_name, configuration, name, expected) => {
    expect(selects(configuration, name)).toBe(expected);
  });

  it("knows the cases that inject faults or restart the user function", () => {
    const cases = loadCases(PROXY_FIXTURE_CASES);
    expect(cases.filter(injectsFaults).map((c) => c.case.name)).toEqual(["Fixture/kill-the-user-function"]);
  });
});
