// The getting-started guide's examples must keep naming real exports: every identifier
// its code blocks import from "@cloudstate/node-support" must be exported by src/index.ts,
// as a value when the example imports it as a value.
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import ts from "typescript";
import * as api from "./index.js";

const GUIDE = new URL("../../../docs/node-support/getting-started.md", import.meta.url);
const INDEX = new URL("./index.ts", import.meta.url);
const PACKAGE = "@cloudstate/node-support";

interface Imported {
  readonly name: string;
  readonly typeOnly: boolean;
}

/** The TypeScript code blocks of a Markdown text. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? "");
}

/** What a piece of code imports from the package by name (`import { A, type B } from ...`). */
function importsFromPackage(code: string): Imported[] {
  const source = ts.createSourceFile("block.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Imported[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (statement.moduleSpecifier.text !== PACKAGE) continue;
    const clause = statement.importClause;
    const bindings = clause?.namedBindings;
    // Default and namespace imports would hide which names the example relies on.
    if (clause === undefined || clause.name !== undefined || bindings === undefined || !ts.isNamedImports(bindings)) {
      throw new Error(`unsupported import form in the guide: ${statement.getText(source)}`);
    }
    const wholeClauseTypeOnly = clause.phaseModifier === ts.SyntaxKind.TypeKeyword;
    for (const element of bindings.elements) {
      found.push({ name: (element.propertyName ?? element.name).text, typeOnly: wholeClauseTypeOnly || element.isTypeOnly });
    }
  }
  return found;
}

/** Every name a module exports, following `export *` into local modules; parsing only, no type checking. */
function exportedNames(file: URL): Set<string> {
  const source = ts.createSourceFile(file.pathname, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause !== undefined && ts.isNamedExports(clause)) {
        for (const element of clause.elements) names.add(element.name.text);
      } else if (clause === undefined && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = new URL(statement.moduleSpecifier.text.replace(/\.js$/, ".ts"), file);
        for (const name of exportedNames(target)) names.add(name);
      }
      continue;
    }
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

const imported = [
  ...new Map(codeBlocks(readFileSync(GUIDE, "utf8")).flatMap(importsFromPackage).map((i) => [`${i.name}:${String(i.typeOnly)}`, i])).values(),
];
const exported = exportedNames(INDEX);
const runtimeExports = new Set(Object.keys(api));

describe("docs/node-support/getting-started.md imports from @cloudstate/node-support", () => {
  it("imports something, so the check below is not vacuous", () => {
    expect(imported.length).toBeGreaterThan(0);
  });

  it("finds every run-time export of src/index.ts among the names it parses", () => {
    for (const name of runtimeExports) expect(exported).toContain(name);
  });

  it.each(imported.map((i) => [i.name, i.typeOnly] as const))("%s (type-only: %s) is exported by src/index.ts", (name, typeOnly) => {
    expect(exported).toContain(name);
    // A value import needs a run-time export, not only a type.
    if (!typeOnly) expect(runtimeExports).toContain(name);
  });
});
