import { createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { type FileDescriptorSet, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { DESCRIPTOR_SET_BASE64 } from "./gen/descriptor-set.js";

let descriptorSet: FileDescriptorSet | undefined;
let registry: FileRegistry | undefined;

/** Every contract under proto/ (protocol, options, google/api, TCK model, examples) as serialized FileDescriptorSet bytes. */
export function contractsDescriptorSetBytes(): Uint8Array {
  return Buffer.from(DESCRIPTOR_SET_BASE64, "base64");
}

/** Every contract under proto/ (protocol, options, google/api, TCK model, examples) as a FileDescriptorSet. */
export function contractsDescriptorSet(): FileDescriptorSet {
  descriptorSet ??= fromBinary(FileDescriptorSetSchema, contractsDescriptorSetBytes());
  return descriptorSet;
}

/**
 * A reflection registry of every contract: for the proto3 JSON mapping of
 * protocol messages (TCK case files), resolving `Any` payloads by type name,
 * and reading options by extension.
 */
export function contractsRegistry(): FileRegistry {
  registry ??= createFileRegistry(contractsDescriptorSet());
  return registry;
}
