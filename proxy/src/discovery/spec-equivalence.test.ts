import { describe, expect, it } from "@jest/globals";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { type cloudstate, contractsDescriptorSetBytes, EntityType } from "@cloudstate/protocol";
import { specDifferences } from "./spec-equivalence.js";
import { validateSpec } from "./spec-validation.js";

const ES = "cloudstate.tck.model.EventSourcedTckModel";
const VE = "cloudstate.tck.model.valueentity.ValueEntityTckModel";

type EntityEntry = cloudstate.Entity;

const entity = (serviceName: string, entityType: string, persistenceId: string, timeoutMs?: number): EntityEntry => ({
  serviceName,
  entityType,
  persistenceId,
  passivationStrategy: timeoutMs === undefined ? undefined : { strategy: { $case: "timeout", value: { timeout: BigInt(timeoutMs) } } },
});

const BASE: readonly EntityEntry[] = [entity(ES, EntityType.EventSourced, "es"), entity(VE, EntityType.ValueEntity, "ve")];

function spec(entities: readonly EntityEntry[], overrides: Partial<cloudstate.EntitySpec> = {}): cloudstate.EntitySpec {
  return {
    proto: contractsDescriptorSetBytes(),
    entities: [...entities],
    serviceInfo: { serviceName: "uf", serviceVersion: "1", serviceRuntime: "", supportLibraryName: "lib", supportLibraryVersion: "1", protocolMajorVersion: 0, protocolMinorVersion: 2 },
    ...overrides,
  };
}

/** A file of the contracts that no other file imports. */
const UNUSED = "cloudstate/tck/cases/v1/cases.proto";

/** The same descriptor files, in another order (imports still before the files importing them). */
function reordered(set: Uint8Array): Uint8Array {
  const parsed = fromBinary(FileDescriptorSetSchema, set);
  const moved = parsed.file.find((f) => f.name === UNUSED);
  const others = parsed.file.filter((f) => f.name !== UNUSED);
  const order = parsed.file[parsed.file.length - 1]?.name === UNUSED ? [...others.slice(0, -1), ...(moved ? [moved] : []), ...others.slice(-1)] : [...others, ...(moved ? [moved] : [])];
  const bytes = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: order }));
  expect(Buffer.compare(bytes, set)).not.toBe(0);
  return bytes;
}

/** The descriptor set without the file named `name`. */
function without(set: Uint8Array, name: string): Uint8Array {
  const parsed = fromBinary(FileDescriptorSetSchema, set);
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: parsed.file.filter((f) => f.name !== name) }));
}

describe("specDifferences", () => {
  const served = validateSpec(spec(BASE));

  it.each([
    ["the same spec", spec(BASE)],
    ["the entities in another order", spec([...BASE].reverse())],
    ["the descriptor files in another order", spec(BASE, { proto: reordered(contractsDescriptorSetBytes()) })],
    [
      "new informational fields and an older compatible minor version",
      spec(BASE, {
        serviceInfo: { serviceName: "uf", serviceVersion: "2", serviceRuntime: "node 22", supportLibraryName: "lib", supportLibraryVersion: "2", protocolMajorVersion: 0, protocolMinorVersion: 1 },
      }),
    ],
  ])("finds none for %s", (_, found) => {
    expect(specDifferences(served, validateSpec(found))).toEqual([]);
  });

  it.each([
    ["a service dropped", [BASE[0] as EntityEntry], [`service ${VE} is no longer listed`]],
    ["a service added", [...BASE, entity("cloudstate.tck.model.action.ActionTckModel", EntityType.Action, "")], ["service cloudstate.tck.model.action.ActionTckModel is new"]],
    ["a persistence id changed", [entity(ES, EntityType.EventSourced, "es2"), BASE[1] as EntityEntry], [`service ${ES}: persistence id "es" became "es2"`]],
    ["a passivation timeout set", [entity(ES, EntityType.EventSourced, "es", 500), BASE[1] as EntityEntry], [`service ${ES}: passivation timeout default became 500`]],
  ])("names %s", (_, entities, expected) => {
    expect(specDifferences(served, validateSpec(spec(entities)))).toEqual(expected);
  });

  it("names a descriptor file that is gone", () => {
    // A file no service of the spec needs, so that the smaller set is still valid.
    const found = validateSpec(spec(BASE, { proto: without(contractsDescriptorSetBytes(), UNUSED) }));
    expect(specDifferences(served, found)).toEqual([`descriptor file ${UNUSED} is no longer in the spec`]);
  });
});
