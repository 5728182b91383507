// Mutants once missed by every case, kept together with the cases that now
// catch them: the discovery step's partial check can require default values
// (protocol major 0), and stream failures must name the problem (ERR-26).
// gapMutations lists mutants no case catches yet (run with MUTANTS_GAPS=1,
// expecting them still to pass); it is empty.
import { cloudstate, eventsourced } from "@cloudstate/protocol";
import { type Mutation, PATHS } from "../mutation.js";
import { type MessageCodec, rewriteEach } from "../protocol-codec.js";

function onModelMessages<T>(path: string, codec: MessageCodec<T>, rewrite: (message: T) => T): Mutation["mutate"] {
  return (method) => {
    if (method !== path) return undefined;
    const each = rewriteEach(codec, (message) => [rewrite(message)]);
    return { fromModel: (bytes, relay) => each(bytes, (b) => relay.toTck(b)) };
  };
}

export const gapMutations: readonly Mutation[] = [];

export const closedGapMutations: readonly Mutation[] = [
  {
    name: "discovery-reports-major-version-1",
    rule: "DISC-9",
    breaks: "the service info reports protocol 1.2 instead of 0.2 (the minor version is right)",
    run: "Discovery/*",
    mustFail: ["Discovery/Spec/service-info-reports-protocol-version"],
    mutate: onModelMessages(PATHS.discover, cloudstate.EntitySpec, (spec) =>
      spec.serviceInfo === undefined ? spec : { ...spec, serviceInfo: { ...spec.serviceInfo, protocolMajorVersion: 1 } },
    ),
  },
  {
    name: "es-stream-failure-without-description",
    rule: "ERR-26",
    breaks: "an event-sourced stream failure has an empty description instead of one naming the problem",
    run: "EventSourced/Malformed/*",
    mustFail: ["EventSourced/Malformed/second-init-fails-the-stream"],
    mutate: onModelMessages(PATHS.eventSourced, eventsourced.EventSourcedStreamOut, (out): eventsourced.EventSourcedStreamOut =>
      out.message?.$case === "failure" && out.message.value.commandId === 0n ? { message: { $case: "failure", value: { ...out.message.value, description: "" } } } : out,
    ),
  },
];
