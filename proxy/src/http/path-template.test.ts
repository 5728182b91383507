import { describe, expect, it } from "@jest/globals";
import { compareSpecificity, matchTemplate, parseTemplate, specificity, TemplateError, templateShape } from "./path-template.js";

describe("parseTemplate", () => {
  it.each<[string, string, string[], string | undefined]>([
    // template, shape, variables as "path@start-end", verb
    ["/carts/{user_id}", "/=carts/*", ["user_id@1-2"], undefined],
    ["/cart/{user_id}/items/{product_id}/remove", "/=cart/*/=items/*/=remove", ["user_id@1-2", "product_id@3-4"], undefined],
    ["/v1/{name=shelves/*}", "/=v1/=shelves/*", ["name@1-3"], undefined],
    ["/v1/{name=shelves/*/books/*}:publish", "/=v1/=shelves/*/=books/*:publish", ["name@1-5"], "publish"],
    ["/v1/{a.b.c}", "/=v1/*", ["a.b.c@1-2"], undefined],
    ["/files/{path=**}", "/=files/**", ["path@1-2"], undefined],
    ["/files/**", "/=files/**", [], undefined],
    ["/v1/*/x", "/=v1/*/=x", [], undefined],
    ["/com.example.Service/Method", "/=com.example.Service/=Method", [], undefined],
    ["/a%20b/{x}", "/=a%20b/*", ["x@1-2"], undefined],
    ["/v1/a:b/c", "/=v1/=a%3Ab/=c", [], undefined],
  ])("%s", (text, shape, variables, verb) => {
    const t = parseTemplate(text);
    expect(templateShape(t)).toBe(shape);
    expect(t.variables.map((v) => `${v.fieldPath.join(".")}@${v.start}-${v.end}`)).toEqual(variables);
    expect(t.verb).toBe(verb);
  });

  it.each<[string, string]>([
    ["carts/{id}", "must start with /"],
    ["/", "needs at least one segment"],
    ["/a//b", "empty segment"],
    ["/a/", "empty segment"],
    ["/a/{id", "unclosed {"],
    ["/a/{id=b/{c}}", "variables cannot nest"],
    ["/a/{1x}", "invalid field path"],
    ["/a/{x..y}", "invalid field path"],
    ["/a/{x}/{x}", "field x is bound twice"],
    ["/a/{x=}", "empty pattern"],
    ["/a/**/b", "** must be the last segment"],
    ["/a/{x}b", "after a variable"],
    ["/a/b*c", "invalid segment"],
    ["/a/b c", "invalid segment"],
    ["/a/{x}:", "invalid verb"],
  ])("rejects %s (%s)", (text, problem) => {
    expect(() => parseTemplate(text)).toThrow(TemplateError);
    expect(() => parseTemplate(text)).toThrow(problem);
  });
});

describe("matchTemplate", () => {
  it.each<[string, string, Record<string, string> | undefined]>([
    ["/carts/{user_id}", "/carts/alice", { user_id: "alice" }],
    ["/carts/{user_id}", "/carts/al%20ice", { user_id: "al ice" }],
    ["/carts/{user_id}", "/carts/a%2Fb", { user_id: "a/b" }],
    ["/carts/{user_id}", "/carts/alice/items", undefined],
    ["/carts/{user_id}", "/carts", undefined],
    ["/carts/{user_id}", "/carts/", undefined],
    ["/carts/{user_id}", "/cartz/alice", undefined],
    ["/carts/{user_id}/items", "/carts/bob/items", { user_id: "bob" }],
    ["/v1/{name=shelves/*}", "/v1/shelves/7", { name: "shelves/7" }],
    ["/v1/{name=shelves/*}", "/v1/racks/7", undefined],
    ["/v1/{name=shelves/*/books/*}:publish", "/v1/shelves/1/books/2:publish", { name: "shelves/1/books/2" }],
    ["/v1/{name=shelves/*/books/*}:publish", "/v1/shelves/1/books/2", undefined],
    ["/files/{path=**}", "/files/a/b/c.txt", { path: "a/b/c.txt" }],
    ["/files/{path=**}", "/files", { path: "" }],
    ["/files/{path=**}", "/files/a%2Fb/c", { path: "a%2Fb/c" }],
    ["/files/{path=**}", "/files/a//c", undefined],
    ["/v1/{a.b}/x", "/v1/q/x", { "a.b": "q" }],
    ["/a%20b/{x}", "/a%20b/1", { x: "1" }],
    ["/carts/{user_id}", "/carts/%E0%A4%A", undefined],
    ["/carts/{user_id}", "carts/alice", undefined],
  ])("%s against %s", (template, path, bindings) => {
    const m = matchTemplate(parseTemplate(template), path);
    expect(m === undefined ? undefined : Object.fromEntries(m.bindings)).toEqual(bindings);
  });
});

describe("specificity", () => {
  it.each<[string, string, number]>([
    ["/a/b", "/a/{x}", 1],
    ["/a/{x}", "/a/{x=**}", 1],
    ["/a/{x}:run", "/a/{x}", 1],
    ["/a/{x}/c", "/a/b/{y}", -1],
    ["/a/{x}", "/a/{y}", 0],
  ])("%s against %s", (a, b, sign) => {
    expect(Math.sign(compareSpecificity(specificity(parseTemplate(a)), specificity(parseTemplate(b))))).toBe(sign);
  });
});
