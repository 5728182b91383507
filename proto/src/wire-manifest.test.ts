import { describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FileDescriptorSet,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { wireManifest } from "./wire-manifest.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(packageDir, "..");
const goldenPath = join(packageDir, "wire-manifest.golden.txt");

function buildDescriptorSet(): FileDescriptorSet {
  const buf = join(repoRoot, "node_modules", ".bin", "buf");
  const bytes = execFileSync(buf, ["build", "--exclude-source-info", "-o", "-#format=binpb"], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  return fromBinary(FileDescriptorSetSchema, bytes);
}

describe("wire manifest of proto/", () => {
  it("matches the reviewed golden copy (Cloudstate protocol 0.2 wire)", () => {
    const actual = wireManifest(buildDescriptorSet(), (name) => !name.startsWith("google/protobuf/"));
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(goldenPath, actual);
    // On failure: a contract changed on the wire. If that is intended (it breaks
    // wire compatibility with every SDK and proxy), rerun with UPDATE_GOLDEN=1
    // and review the diff of wire-manifest.golden.txt like an API change.
    expect(actual).toEqual(readFileSync(goldenPath, "utf8"));
  });
});

describe("wireManifest", () => {
  const set = create(FileDescriptorSetSchema, {
    file: [
      {
        name: "b.proto",
        package: "p",
        syntax: "proto3",
        messageType: [
          {
            name: "M",
            field: [
              { name: "z", number: 2, label: FieldDescriptorProto_Label.REPEATED, type: FieldDescriptorProto_Type.MESSAGE, typeName: ".p.M" },
              { name: "a", number: 1, label: FieldDescriptorProto_Label.OPTIONAL, type: FieldDescriptorProto_Type.SINT64, oneofIndex: 0 },
              { name: "n", number: 3, label: FieldDescriptorProto_Label.OPTIONAL, type: FieldDescriptorProto_Type.ENUM, typeName: ".p.E" },
            ],
            oneofDecl: [{ name: "choice" }],
          },
        ],
        enumType: [{ name: "E", value: [{ name: "ONE", number: 1 }, { name: "ZERO", number: 0 }] }],
        service: [{ name: "S", method: [{ name: "handle", inputType: ".p.M", outputType: ".p.M", clientStreaming: true, serverStreaming: true }, { name: "get", inputType: ".p.M", outputType: ".p.M" }] }],
      },
      { name: "a.proto", package: "q", syntax: "proto3" },
    ],
  });

  it("orders files, fields and enum values by number, and shows streaming, labels and oneofs", () => {
    expect(wireManifest(set)).toBe(
      [
        "file a.proto package q",
        "file b.proto package p",
        "  message .p.M",
        "    1 sint64 a oneof choice",
        "    2 repeated .p.M z",
        "    3 .p.E n",
        "  enum .p.E",
        "    0 ZERO",
        "    1 ONE",
        "  service .p.S",
        "    rpc get(.p.M) returns (.p.M)",
        "    rpc handle(stream .p.M) returns (stream .p.M)",
        "",
      ].join("\n"),
    );
  });

  it("keeps only the files the filter accepts", () => {
    expect(wireManifest(set, (name) => name === "a.proto")).toBe("file a.proto package q\n");
  });
});
