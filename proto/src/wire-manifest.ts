import {
  createFileRegistry,
  type DescEnum,
  type DescExtension,
  type DescField,
  type DescFile,
  type DescMessage,
} from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, type FileDescriptorSet } from "@bufbuild/protobuf/wkt";

/**
 * Renders the wire-relevant shape of a descriptor set as stable text: for every
 * file, its package, and every message, field (number, label, type, oneof),
 * enum value, service method (types and streaming flags) and extension.
 *
 * Comments, options other than the extensions themselves, and declaration
 * order are left out, so the text changes only when something a peer on the
 * wire could notice changes. The golden copy of this text for our contracts is
 * the reviewed record that they match the published Cloudstate protocol.
 */
export function wireManifest(set: FileDescriptorSet, include: (fileName: string) => boolean = () => true): string {
  const registry = createFileRegistry(set);
  const files = [...registry.files].filter((f) => include(f.proto.name)).sort((a, b) => compare(a.proto.name, b.proto.name));
  const out: string[] = [];
  for (const file of files) {
    out.push(`file ${file.proto.name} package ${file.proto.package}`);
    renderFile(file, out);
  }
  return out.join("\n") + "\n";
}

function renderFile(file: DescFile, out: string[]): void {
  for (const message of byTypeName(file.messages)) renderMessage(message, out);
  for (const e of byTypeName(file.enums)) renderEnum(e, out);
  for (const ext of byTypeName(file.extensions)) out.push(`  extend .${ext.extendee.typeName} ${fieldLine(ext)}`);
  for (const service of byTypeName(file.services)) {
    out.push(`  service .${service.typeName}`);
    for (const m of [...service.methods].sort((a, b) => compare(a.name, b.name))) {
      const clientStreams = m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming";
      const serverStreams = m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming";
      const input = `${clientStreams ? "stream " : ""}.${m.input.typeName}`;
      const output = `${serverStreams ? "stream " : ""}.${m.output.typeName}`;
      out.push(`    rpc ${m.name}(${input}) returns (${output})`);
    }
  }
}

function renderMessage(message: DescMessage, out: string[]): void {
  out.push(`  message .${message.typeName}`);
  for (const field of [...message.fields].sort((a, b) => a.number - b.number)) {
    out.push(`    ${fieldLine(field)}${field.oneof ? ` oneof ${field.oneof.name}` : ""}`);
  }
  for (const nested of byTypeName(message.nestedMessages)) renderMessage(nested, out);
  for (const e of byTypeName(message.nestedEnums)) renderEnum(e, out);
}

function renderEnum(e: DescEnum, out: string[]): void {
  out.push(`  enum .${e.typeName}`);
  for (const v of [...e.values].sort((a, b) => a.number - b.number)) out.push(`    ${v.number} ${v.name}`);
}

function fieldLine(field: DescField | DescExtension): string {
  const { proto } = field;
  const label = proto.label === FieldDescriptorProto_Label.REPEATED ? "repeated " : "";
  const optional = proto.proto3Optional ? "optional " : "";
  const type =
    proto.type === FieldDescriptorProto_Type.MESSAGE || proto.type === FieldDescriptorProto_Type.ENUM
      ? proto.typeName
      : FieldDescriptorProto_Type[proto.type].toLowerCase();
  return `${proto.number} ${label}${optional}${type} ${proto.name}`;
}

function byTypeName<T extends { typeName: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compare(a.typeName, b.typeName));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
