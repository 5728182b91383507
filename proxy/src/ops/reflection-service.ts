// gRPC server reflection (grpc.reflection.v1 and its predecessor v1alpha), answering from the
// user function's descriptors, so that grpcurl, grpcui and similar tools can call the proxy
// without the user's .proto files. Files are answered with their transitive imports, as the
// grpc implementations do; each answer is complete on its own (nothing is skipped because an
// earlier answer on the stream carried it).

import {
  create,
  createFileRegistry,
  type DescEnum,
  type DescExtension,
  type DescFile,
  type DescMessage,
  fromBinary,
  type FileRegistry,
  toBinary,
} from "@bufbuild/protobuf";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { contractsDescriptorSet, grpcHealth, grpcReflection, grpcReflectionAlpha } from "@cloudstate/protocol";
import { type ServerDuplexStream, status as GrpcStatus } from "@grpc/grpc-js";
import type { ServiceRegistration } from "./health-service.js";

/** Fully-qualified names of the standard services the proxy serves beside the user's. */
export const HEALTH_SERVICE_NAME = `${grpcHealth.protobufPackage}.Health`;
export const REFLECTION_SERVICE_NAME = `${grpcReflection.protobufPackage}.ServerReflection`;
export const REFLECTION_ALPHA_SERVICE_NAME = `${grpcReflectionAlpha.protobufPackage}.ServerReflection`;

const STANDARD_FILES = [
  grpcHealth.protobufFileName,
  grpcReflection.protobufFileName,
  grpcReflectionAlpha.protobufFileName,
];
const STANDARD_SERVICES = [HEALTH_SERVICE_NAME, REFLECTION_SERVICE_NAME, REFLECTION_ALPHA_SERVICE_NAME];

/** Options of {@link ReflectionIndex}. */
export interface ReflectionOptions {
  /**
   * Services answered to list_services, fully qualified; the health and reflection services are
   * added. Default: every service declared in the descriptor set (which, for a user function,
   * may include services the proxy does not serve, such as cloudstate's own).
   */
  readonly services?: readonly string[];
}

/**
 * What reflection answers from: the user function's descriptors (a serialized
 * FileDescriptorSet, complete with its imports) plus the health and reflection contracts.
 * Built once per discovered spec; lookups are map reads.
 */
export class ReflectionIndex {
  readonly registry: FileRegistry;
  readonly services: readonly string[];
  private readonly symbols = new Map<string, DescFile>();
  /** Extended message name → field number → extension. */
  private readonly extensions = new Map<string, Map<number, DescExtension>>();
  private readonly serialized = new Map<string, Uint8Array>();

  /** Throws when the bytes are not a FileDescriptorSet or a file imports one not in the set. */
  constructor(descriptorSet: Uint8Array, options: ReflectionOptions = {}) {
    const given = fromBinary(FileDescriptorSetSchema, descriptorSet).file;
    const standard = contractsDescriptorSet().file;
    this.registry = createFileRegistry(create(FileDescriptorSetSchema, { file: orderByImports(given, standard) }));
    for (const file of this.registry.files) this.indexFile(file);
    const declared = options.services ?? [...this.registry.files].flatMap((f) => f.services.map((s) => s.typeName));
    this.services = [...new Set([...declared, ...STANDARD_SERVICES])];
  }

  /** The file named `fileName` followed by its transitive imports, or undefined if unknown. */
  fileByName(fileName: string): Uint8Array[] | undefined {
    const file = this.registry.getFile(fileName);
    return file && this.withDependencies(file);
  }

  /** The file declaring `symbol` (type, service, method, field, enum value, extension) and its imports. */
  fileContainingSymbol(symbol: string): Uint8Array[] | undefined {
    const file = this.symbols.get(stripDot(symbol));
    return file && this.withDependencies(file);
  }

  /** The file declaring extension `number` of message `extendee`, and its imports. */
  fileContainingExtension(extendee: string, number: number): Uint8Array[] | undefined {
    const ext = this.extensions.get(stripDot(extendee))?.get(number);
    return ext && this.withDependencies(ext.file);
  }

  /** Field numbers of the known extensions of message `extendee`, or undefined if the message is unknown. */
  extensionNumbers(extendee: string): number[] | undefined {
    const name = stripDot(extendee);
    if (this.registry.getMessage(name) === undefined) return undefined;
    return [...(this.extensions.get(name)?.keys() ?? [])].sort((a, b) => a - b);
  }

  private withDependencies(root: DescFile): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (file: DescFile): void => {
      if (seen.has(file.proto.name)) return;
      seen.add(file.proto.name);
      out.push(this.bytesOf(file));
      for (const dep of file.dependencies) visit(dep);
    };
    visit(root);
    return out;
  }

  private bytesOf(file: DescFile): Uint8Array {
    let bytes = this.serialized.get(file.proto.name);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      this.serialized.set(file.proto.name, bytes);
    }
    return bytes;
  }

  private indexFile(file: DescFile): void {
    const add = (name: string): void => {
      if (!this.symbols.has(name)) this.symbols.set(name, file);
    };
    const addEnum = (e: DescEnum, scope: string): void => {
      add(e.typeName);
      // Enum values live in the scope enclosing their enum, as in C++.
      for (const v of e.values) add(scope === "" ? v.name : `${scope}.${v.name}`);
    };
    const addExtension = (ext: DescExtension): void => {
      add(ext.typeName);
      let byNumber = this.extensions.get(ext.extendee.typeName);
      if (byNumber === undefined) {
        byNumber = new Map();
        this.extensions.set(ext.extendee.typeName, byNumber);
      }
      byNumber.set(ext.number, ext);
    };
    const addMessage = (m: DescMessage): void => {
      add(m.typeName);
      for (const f of m.fields) add(`${m.typeName}.${f.name}`);
      for (const o of m.oneofs) add(`${m.typeName}.${o.name}`);
      for (const nested of m.nestedMessages) addMessage(nested);
      for (const e of m.nestedEnums) addEnum(e, m.typeName);
      for (const ext of m.nestedExtensions) addExtension(ext);
    };
    for (const m of file.messages) addMessage(m);
    for (const e of file.enums) addEnum(e, file.proto.package);
    for (const ext of file.extensions) addExtension(ext);
    for (const s of file.services) {
      add(s.typeName);
      for (const method of s.methods) add(`${s.typeName}.${method.name}`);
    }
  }
}

/** grpc.reflection.v1.ServerReflection over `index`. */
export function reflectionService(index: ReflectionIndex): ServiceRegistration {
  const implementation: grpcReflection.ServerReflectionServer = {
    serverReflectionInfo: (call) => serve(index, call),
  };
  return { definition: grpcReflection.ServerReflectionService, implementation };
}

/** grpc.reflection.v1alpha.ServerReflection over `index`, for clients that only know it. */
export function reflectionServiceAlpha(index: ReflectionIndex): ServiceRegistration {
  const implementation: grpcReflectionAlpha.ServerReflectionServer = {
    serverReflectionInfo: (call) => serve(index, call),
  };
  return { definition: grpcReflectionAlpha.ServerReflectionService, implementation };
}

// v1 and v1alpha messages are the same shape (the contracts differ only in package), so one
// implementation serves both.
type Request = grpcReflection.ServerReflectionRequest;
type Response = grpcReflection.ServerReflectionResponse;

function serve(index: ReflectionIndex, call: ServerDuplexStream<Request, Response>): void {
  call.on("data", (request: Request) => {
    call.write({ validHost: request.host, originalRequest: request, messageResponse: answer(index, request) });
  });
  call.on("end", () => call.end());
  // A client that goes away mid-stream is not an error of the proxy; nothing to clean up.
  call.on("error", () => undefined);
}

function answer(index: ReflectionIndex, request: Request): Response["messageResponse"] {
  const question = request.messageRequest;
  switch (question?.$case) {
    case undefined:
      return error(GrpcStatus.INVALID_ARGUMENT, "the request sets no question (message_request)");
    case "listServices":
      return {
        $case: "listServicesResponse",
        value: { service: index.services.map((name) => ({ name })) },
      };
    case "fileByFilename":
      return files(index.fileByName(question.value), `file ${JSON.stringify(question.value)}`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(question.value), `symbol ${JSON.stringify(question.value)}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = question.value;
      return files(
        index.fileContainingExtension(containingType, extensionNumber),
        `extension ${extensionNumber} of ${JSON.stringify(containingType)}`,
      );
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbers(question.value);
      if (numbers === undefined) return error(GrpcStatus.NOT_FOUND, `unknown type ${JSON.stringify(question.value)}`);
      return {
        $case: "allExtensionNumbersResponse",
        value: { baseTypeName: stripDot(question.value), extensionNumber: numbers },
      };
    }
  }
}

function files(found: Uint8Array[] | undefined, what: string): Response["messageResponse"] {
  if (found === undefined) return error(GrpcStatus.NOT_FOUND, `unknown ${what}`);
  return { $case: "fileDescriptorResponse", value: { fileDescriptorProto: found } };
}

function error(code: GrpcStatus, message: string): Response["messageResponse"] {
  return { $case: "errorResponse", value: { errorCode: code, errorMessage: message } };
}

function stripDot(name: string): string {
  return name.startsWith(".") ? name.slice(1) : name;
}

/**
 * The given files plus the standard contracts they lack, ordered so that every file comes after
 * its imports (createFileRegistry resolves imports against files already added).
 */
function orderByImports(
  given: readonly FileDescriptorProto[],
  fallback: readonly FileDescriptorProto[],
): FileDescriptorProto[] {
  const byName = new Map<string, FileDescriptorProto>();
  for (const f of given) if (!byName.has(f.name)) byName.set(f.name, f);
  const fallbackByName = new Map(fallback.map((f) => [f.name, f]));
  for (const name of STANDARD_FILES) {
    const f = fallbackByName.get(name);
    if (f !== undefined && !byName.has(name)) byName.set(name, f);
  }
  const ordered: FileDescriptorProto[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (file: FileDescriptorProto): void => {
    const s = state.get(file.name);
    if (s === "done") return;
    if (s === "visiting") throw new Error(`descriptor set has an import cycle through ${file.name}`);
    state.set(file.name, "visiting");
    for (const dep of file.dependency) {
      const depFile = byName.get(dep);
      if (depFile === undefined) throw new Error(`${file.name} imports ${dep}, which is not in the descriptor set`);
      visit(depFile);
    }
    state.set(file.name, "done");
    ordered.push(file);
  };
  for (const file of byName.values()) visit(file);
  return ordered;
}
