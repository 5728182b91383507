// Mutants of the action model (spec/action.md) and of discovery
// (spec/discovery.md).
import { action, cloudstate, EntityType } from "@cloudstate/protocol";
import { status } from "@grpc/grpc-js";
import { type Mutation, PATHS } from "../mutation.js";
import { decodeOrUndefined, type MessageCodec, rewriteEach } from "../protocol-codec.js";

const ACTION_PATHS: readonly string[] = [PATHS.actionUnary, PATHS.actionStreamedIn, PATHS.actionStreamedOut, PATHS.actionStreamed];
const STREAMED_RESPONSE_PATHS: readonly string[] = [PATHS.actionStreamedOut, PATHS.actionStreamed];

/** A mutate function that rewrites each message the model sends on the given paths. */
function onModelMessages<T>(paths: readonly string[], codec: MessageCodec<T>, rewrite: (message: T) => readonly T[]): Mutation["mutate"] {
  return (method) => {
    if (!paths.includes(method)) return undefined;
    const each = rewriteEach(codec, rewrite);
    return { fromModel: (bytes, relay) => each(bytes, (b) => relay.toTck(b)) };
  };
}

const PERSISTENT: readonly string[] = [EntityType.EventSourced, EntityType.ValueEntity];

export const actionMutations: readonly Mutation[] = [
  {
    name: "action-unary-reply-dropped",
    rule: "ACT-18",
    breaks: "a unary action call whose handler replied completes with status OK and no ActionResponse",
    run: "Action/Unary/*",
    mustFail: ["Action/Unary/reply", "Action/Unary/side-effects-with-reply-keep-order-and-flags", "Action/Unary/groups-combine-later-steps-win"],
    mutate: onModelMessages([PATHS.actionUnary], action.ActionResponse, (response) => (response.response?.$case === "reply" ? [] : [response])),
  },
  {
    name: "action-side-effects-dropped",
    rule: "ACT-26, EFF-38 ([proxy] rules; no [uf] statement)",
    breaks: "every ActionResponse leaves out the side effects the handler asked for",
    run: "Action/*",
    mustFail: [
      "Action/Unary/side-effects-with-reply-keep-order-and-flags",
      "Action/Unary/side-effects-with-failure",
      "Action/StreamedIn/side-effects-alone",
      "Action/StreamedOut/side-effects-belong-to-their-group",
      "Action/Streamed/side-effects-with-every-kind-of-response",
    ],
    mutate: onModelMessages(ACTION_PATHS, action.ActionResponse, (response) => (response.sideEffects.length === 0 ? [response] : [{ ...response, sideEffects: [] }])),
  },
  {
    name: "action-response-after-failure",
    rule: "ACT-24",
    breaks: "on a streamed-response call, a failure is followed by an empty reply",
    run: "Action/StreamedOut/*",
    mustFail: ["Action/StreamedOut/failure-is-the-last-response", "Action/StreamedOut/unknown-method-fails-and-ends-the-call"],
    mutate: onModelMessages(STREAMED_RESPONSE_PATHS, action.ActionResponse, (response): action.ActionResponse[] =>
      response.response?.$case === "failure" ? [response, { response: { $case: "reply", value: { payload: undefined, metadata: undefined } }, sideEffects: [] }] : [response],
    ),
  },
  {
    name: "action-streamed-call-ends-with-error",
    rule: "ACT-42",
    breaks: "a streamed-response call whose handler finished ends with status INTERNAL instead of OK",
    run: "Action/StreamedOut/*",
    mustFail: ["Action/StreamedOut/one-reply-per-group", "Action/StreamedOut/failure-is-the-last-response", "Action/StreamedOut/empty-request-sends-nothing"],
    mutate: (method) =>
      STREAMED_RESPONSE_PATHS.includes(method)
        ? { modelEnded: (end, relay) => relay.end(end.code === status.OK ? { ...end, code: status.INTERNAL, details: "handler finished" } : end) }
        : undefined,
  },
  {
    name: "action-failure-as-error-status",
    rule: "ACT-11, ACT-12",
    breaks: "a unary call whose handler failed ends with status UNKNOWN carrying the description instead of a failure ActionResponse",
    run: "Action/Unary/*",
    mustFail: ["Action/Unary/failure", "Action/Unary/unknown-method-fails-the-call-then-serves-the-next", "Action/Unary/undecodable-payload-fails-the-call"],
    mutate: (method) => {
      if (method !== PATHS.actionUnary) return undefined;
      let failure: string | undefined;
      return {
        fromModel: (bytes, relay) => {
          const response = decodeOrUndefined(action.ActionResponse, bytes)?.response;
          if (response?.$case === "failure") failure = response.value.description;
          else relay.toTck(bytes);
        },
        modelEnded: (end, relay) => relay.end(failure === undefined ? end : { ...end, code: status.UNKNOWN, details: failure }),
      };
    },
  },
];

export const discoveryMutations: readonly Mutation[] = [
  {
    name: "discovery-reports-protocol-1-0",
    rule: "DISC-9",
    breaks: "the EntitySpec's service info reports protocol version 1.0 instead of 0.2",
    run: "Discovery/*",
    mustFail: ["Discovery/Spec/service-info-reports-protocol-version"],
    mutate: onModelMessages([PATHS.discover], cloudstate.EntitySpec, (spec) =>
      spec.serviceInfo === undefined ? [spec] : [{ ...spec, serviceInfo: { ...spec.serviceInfo, protocolMajorVersion: 1, protocolMinorVersion: 0 } }],
    ),
  },
  {
    name: "discovery-empty-persistence-id",
    rule: "DISC-11",
    breaks: "event-sourced and value entities are listed with an empty persistence id",
    run: "Discovery/*",
    mustFail: ["Discovery/Spec/event-sourced-entities", "Discovery/Spec/value-entities"],
    mutate: onModelMessages([PATHS.discover], cloudstate.EntitySpec, (spec) => [
      { ...spec, entities: spec.entities.map((e) => (PERSISTENT.includes(e.entityType) ? { ...e, persistenceId: "" } : e)) },
    ]),
  },
  {
    name: "discovery-refusal-with-wrong-status",
    rule: "DISC-16",
    breaks: "an incompatible proxy is refused with INVALID_ARGUMENT instead of FAILED_PRECONDITION",
    run: "Discovery/Version/*",
    mustFail: ["Discovery/Version/other-major-version-is-refused", "Discovery/Version/older-minor-proxy-is-refused"],
    mutate: (method) =>
      method === PATHS.discover
        ? { modelEnded: (end, relay) => relay.end(end.code === status.FAILED_PRECONDITION ? { ...end, code: status.INVALID_ARGUMENT } : end) }
        : undefined,
  },
  {
    name: "discovery-refusal-without-versions",
    rule: "DISC-16",
    breaks: "an incompatible proxy is refused with FAILED_PRECONDITION and a message naming neither version",
    run: "Discovery/Version/*",
    mustFail: ["Discovery/Version/other-major-version-is-refused", "Discovery/Version/older-minor-proxy-is-refused"],
    mutate: (method) =>
      method === PATHS.discover ? { modelEnded: (end, relay) => relay.end(end.code === status.OK ? end : { ...end, details: "refused" }) } : undefined,
  },
  {
    name: "discovery-without-descriptors",
    rule: "DISC-8",
    breaks: "the EntitySpec carries no descriptors (an empty proto)",
    run: "Discovery/Spec/*",
    mustFail: ["Discovery/Spec/descriptors-resolve-every-service-with-valid-keys"],
    mutate: onModelMessages([PATHS.discover], cloudstate.EntitySpec, (spec) => [{ ...spec, proto: new Uint8Array() }]),
  },
  {
    name: "discovery-service-info-blank",
    rule: "DISC-10 (SHOULD)",
    breaks: "the informational service info fields (service and library names and versions, runtime) are left empty",
    run: "Discovery/Spec/*",
    mustFail: ["Discovery/Spec/service-info-names-the-service-and-library"],
    advisory: true,
    mutate: onModelMessages([PATHS.discover], cloudstate.EntitySpec, (spec) =>
      spec.serviceInfo === undefined
        ? [spec]
        : [{ ...spec, serviceInfo: { ...spec.serviceInfo, serviceName: "", serviceVersion: "", serviceRuntime: "", supportLibraryName: "", supportLibraryVersion: "" } }],
    ),
  },
  {
    name: "report-error-fails",
    rule: "DISC-40",
    breaks: "reportError is answered with status INTERNAL instead of an Empty message",
    run: "Discovery/ReportError/*",
    mustFail: ["Discovery/ReportError/report-is-answered", "Discovery/ReportError/any-message-is-answered"],
    mutate: (method) =>
      method === PATHS.reportError
        ? { fromModel: () => undefined, modelEnded: (end, relay) => relay.end({ ...end, code: status.INTERNAL, details: "report refused" }) }
        : undefined,
  },
];
