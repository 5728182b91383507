import { type Any, Any as AnyCodec } from "@cloudstate/protocol";
import type { MethodSpec } from "../discovery/user-spec.js";
import { isJsonOrPrimitive, typeNameOf } from "./cloud-event.js";

const ANY_TYPE = "google.protobuf.Any";

/**
 * Chooses, for each event, the method of a consumer group that receives it (spec/eventing.md §2.2):
 * the method whose input type is the event's protobuf type (EVT-11), else the group's method
 * taking `google.protobuf.Any`, the only one that receives JSON and primitive events (EVT-12).
 */
export class EventRouter {
  private readonly byInputType = new Map<string, MethodSpec>();
  private readonly anyMethod: MethodSpec | undefined;

  constructor(methods: readonly MethodSpec[]) {
    let anyMethod: MethodSpec | undefined;
    for (const method of methods) {
      if (method.input.typeName === ANY_TYPE) anyMethod ??= method;
      else if (!this.byInputType.has(method.input.typeName)) this.byInputType.set(method.input.typeName, method);
    }
    this.anyMethod = anyMethod;
  }

  /** The receiving method, undefined when no method of the group can receive the event (EVT-14). */
  methodFor(payload: Any): MethodSpec | undefined {
    if (isJsonOrPrimitive(payload.typeUrl)) return this.anyMethod;
    return this.byInputType.get(typeNameOf(payload.typeUrl)) ?? this.anyMethod;
  }
}

/**
 * The request message that delivers `payload` to `method`, as a client would send it: the
 * event's message, or for a method taking `google.protobuf.Any` the event's `Any` itself, so that
 * the call's payload keeps the event's own type URL (EVT-13, ANY-21).
 */
export function deliveryRequest(method: MethodSpec, payload: Any): Uint8Array {
  return method.input.typeName === ANY_TYPE ? AnyCodec.encode(payload).finish() : payload.value;
}
