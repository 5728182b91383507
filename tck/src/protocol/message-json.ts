import { restoreAnyTypeUrls } from "./any-type-urls.js";
import { type DescMessage, type DescMethod, type DescService, fromBinary, fromJson, type JsonValue, type Registry, toBinary, toJson } from "@bufbuild/protobuf";

/**
 * Converts between the proto3 JSON mapping used in case files and the binary
 * wire form, for messages of any contract type. Converting expected values
 * through the same mapping as actual ones makes comparisons canonical (int64 as
 * strings, defaults omitted, enums by name).
 */
export class MessageJson {
  constructor(private readonly registry: Registry) {}

  descriptor(typeName: string): DescMessage {
    const desc = this.registry.getMessage(typeName);
    if (desc === undefined) throw new Error(`unknown message type ${typeName}`);
    return desc;
  }

  service(typeName: string): DescService {
    const desc = this.registry.getService(typeName);
    if (desc === undefined) throw new Error(`unknown service ${typeName}`);
    return desc;
  }

  /** The method at `path` ("package.Service/Method"), or undefined when its service or the method is unknown. */
  method(path: string): DescMethod | undefined {
    const slash = path.lastIndexOf("/");
    return this.registry.getService(path.slice(0, slash))?.methods.find((m) => m.name === path.slice(slash + 1));
  }

  encode(desc: DescMessage, json: JsonValue): Uint8Array {
    return toBinary(desc, this.parse(desc, json));
  }

  decode(desc: DescMessage, bytes: Uint8Array): JsonValue {
    return toJson(desc, fromBinary(desc, bytes), { registry: this.registry });
  }

  /** The canonical JSON of a JSON value (parse, then print). */
  canonical(desc: DescMessage, json: JsonValue): JsonValue {
    return toJson(desc, this.parse(desc, json), { registry: this.registry });
  }

  private parse(desc: DescMessage, json: JsonValue) {
    const message = fromJson(desc, json, { registry: this.registry });
    restoreAnyTypeUrls(desc, message, json, this.registry);
    return message;
  }
}
