// Reads and checks the `(cloudstate.eventing)` method option at discovery (spec/eventing.md §1,
// spec/discovery.md DISC-36). This proxy has no message broker, so it serves event-log sources
// only and refuses every topic (EVT-6).

import { type DescMethod, getOption, hasOption, isMessage, toBinary } from "@bufbuild/protobuf";
import { contractsRegistry, eventing } from "@cloudstate/protocol";
import type { ConsumerGroupSpec, MethodSpec, ServiceSpec } from "./user-spec.js";

/** The `(cloudstate.eventing)` option (extension 1081) of a method, undefined when it has none (EVT-1). */
export function eventingOption(method: DescMethod): eventing.Eventing | undefined {
  const extension = contractsRegistry().getExtension("cloudstate.eventing");
  if (extension === undefined || extension.fieldKind !== "message" || !hasOption(method, extension)) return undefined;
  const value = getOption(method, extension);
  if (!isMessage(value, extension.message)) return undefined;
  // Re-encoded into the generated type, whose oneofs the rest of the proxy already speaks.
  return eventing.Eventing.decode(toBinary(extension.message, value));
}

/** A group being collected: keyed by name and source, so that one spanning services is caught (EVT-5). */
interface GroupDraft {
  readonly name: string;
  readonly source: string;
  readonly persistenceId: string | undefined;
  readonly methods: MethodSpec[];
}

/**
 * Reads the eventing option of every method of `services` (EVT-1) and returns the consumer groups
 * of event-log sources to run. Pushes onto `problems` one sentence per option this proxy cannot
 * honour, naming the method: a missing or empty source or destination (EVT-2), a topic both
 * consumed and published (EVT-3), two methods of a group with one input type (EVT-4), a group name
 * shared by two services for one source (EVT-5), and any topic at all (EVT-6).
 */
export function consumerGroupsOf(services: Iterable<ServiceSpec>, problems: string[]): ConsumerGroupSpec[] {
  const drafts = new Map<string, GroupDraft>();
  for (const service of services) {
    for (const descriptor of service.descriptor.methods) {
      const option = eventingOption(descriptor);
      const method = service.methods.get(descriptor.name);
      if (option === undefined || method === undefined) continue;
      const where = `${service.name}.${descriptor.name}: option (cloudstate.eventing)`;
      const source = option.in?.source;
      const destination = option.out?.destination;
      if (option.in !== undefined) {
        if (source === undefined) problems.push(`${where}: \`in\` names no source; set event_log or topic (EVT-2)`);
        else if (source.value === "") problems.push(`${where}: \`in.${source.$case === "eventLog" ? "event_log" : "topic"}\` is empty (EVT-2)`);
      }
      if (option.out !== undefined) {
        if (destination === undefined) problems.push(`${where}: \`out\` names no destination; set topic (EVT-2)`);
        else if (destination.value === "") problems.push(`${where}: \`out.topic\` is empty (EVT-2)`);
      }
      const inTopic = source?.$case === "topic" && source.value !== "" ? source.value : undefined;
      const outTopic = destination?.$case === "topic" && destination.value !== "" ? destination.value : undefined;
      if (inTopic !== undefined && inTopic === outTopic) problems.push(`${where}: consumes and publishes to the same topic "${inTopic}" (EVT-3)`);
      if (inTopic !== undefined) problems.push(`${where}: consumes topic "${inTopic}", but this proxy has no message broker to serve topics (EVT-6)`);
      if (outTopic !== undefined) problems.push(`${where}: publishes to topic "${outTopic}", but this proxy has no message broker to serve topics (EVT-6)`);
      if (source === undefined || source.value === "") continue;
      const name = option.in?.consumerGroup || service.name;
      const sourceKey = source.$case === "eventLog" ? `event log "${source.value}"` : `topic "${source.value}"`;
      const key = `${name}\u0000${sourceKey}`;
      let draft = drafts.get(key);
      if (draft === undefined) {
        draft = { name, source: sourceKey, persistenceId: source.$case === "eventLog" ? source.value : undefined, methods: [] };
        drafts.set(key, draft);
      }
      draft.methods.push(method);
    }
  }
  const groups: ConsumerGroupSpec[] = [];
  for (const draft of drafts.values()) {
    const owners = [...new Set(draft.methods.map((m) => m.service.name))];
    const [service] = draft.methods;
    if (owners.length > 1) {
      // Their progress would be one stored offset (EVT-21), so one service could skip events for the other.
      problems.push(`consumer group "${draft.name}" of ${draft.source} is used by methods of ${owners.length} services (${owners.join(", ")}); a group belongs to one service (EVT-5)`);
      continue;
    }
    const byInput = new Map<string, MethodSpec>();
    for (const method of draft.methods) {
      const other = byInput.get(method.input.typeName);
      if (other !== undefined) {
        problems.push(`${method.service.name}.${method.name}: takes ${method.input.typeName} like ${other.name} of the same consumer group "${draft.name}" of ${draft.source}, so an event could go to either (EVT-4)`);
      } else byInput.set(method.input.typeName, method);
    }
    if (draft.persistenceId !== undefined && service !== undefined) {
      groups.push({ name: draft.name, persistenceId: draft.persistenceId, service: service.service, methods: draft.methods });
    }
  }
  return groups;
}
