// The mutant proxies: the reference proxy with one seeded fault each (see
// mutant-proxy.ts), the spec rule the fault breaks, and the proxy-mode cases
// that must fail it. `run` keeps each mutant's run short; `mustFail` was
// computed by running those cases against the mutant.
//
// Patches target the compiled JavaScript in proxy/dist, so they are written
// in its text (tsc output: four-space indentation, types erased).
import type { ProxyMutant } from "./mutant-proxy.js";

const ES = "eventsourced/event-sourced-entity.js";
const VE = "valueentity/value-entity.js";
const ENTITY = "entity/sequential-entity.js";
const EFFECTS = "effects/effect-runner.js";
const EVENTING = "eventing/";

/** Every mutant some proxy-mode case catches. */
export const PROXY_MUTANTS: readonly ProxyMutant[] = [
  {
    name: "es-reply-before-append",
    rule: "ES-19",
    fault: "answers the caller (and performs the effects) before the reply's events are persisted: the append runs 5 s later",
    file: ES,
    find: "await this.ctx.store.append(this.persistenceId, this.key, this.sequence, reply.events, reply.snapshot);",
    replace:
      "{ const late = [this.persistenceId, this.key, this.sequence, reply.events, reply.snapshot]; setTimeout(() => void this.ctx.store.append(...late).catch(() => undefined), 5000); }",
    run: ["Proxy/EventSourced/new-stream-replays-every-acknowledged-event-in-order", "Proxy/EventSourced/snapshot-is-stored-at-its-replys-last-sequence", "Proxy/EventSourced/failure-with-restart-redelivers-queued-commands-in-order"],
    mustFail: ["Proxy/EventSourced/new-stream-replays-every-acknowledged-event-in-order", "Proxy/EventSourced/snapshot-is-stored-at-its-replys-last-sequence", "Proxy/EventSourced/failure-with-restart-redelivers-queued-commands-in-order"],
  },
  {
    name: "es-replay-reversed",
    rule: "ES-7",
    fault: "replays the journaled events after init in decreasing sequence order",
    file: ES,
    find: "for (const event of events)",
    replace: "for (const event of events.slice().reverse())",
    run: ["Proxy/EventSourced/new-stream-replays-every-acknowledged-event-in-order", "Proxy/EventSourced/snapshot-*"],
    mustFail: ["Proxy/EventSourced/new-stream-replays-every-acknowledged-event-in-order"],
  },
  {
    name: "es-snapshot-sequence-off-by-one",
    rule: "ES-27",
    fault: "stores a reply's snapshot at the sequence before its last event, so that event is replayed on top of the snapshot",
    file: "store/memory-store.js",
    find: "target.snapshot = { sequence, payload: snapshot };",
    replace: "target.snapshot = { sequence: sequence - 1n, payload: snapshot };",
    run: ["Proxy/EventSourced/snapshot-*"],
    mustFail: ["Proxy/EventSourced/snapshot-*"],
  },
  {
    name: "passivation-never",
    rule: "PASS-1",
    fault: "never passivates an idle entity (the passivation timer does nothing)",
    file: ENTITY,
    find: "this.passivationTimer = setTimeout(() => this.passivate(), this.passivationTimeoutMs);",
    replace: "this.passivationTimer = setTimeout(() => undefined, this.passivationTimeoutMs);",
    run: ["Proxy/Passivation/idle-event-sourced-entity-is-passivated-and-rehydrated"],
    mustFail: ["Proxy/Passivation/idle-event-sourced-entity-is-passivated-and-rehydrated"],
  },
  {
    name: "ve-answer-before-write",
    rule: "EFF-2",
    fault: "performs a value entity reply's side effects and answers its caller before the state action is written: the write runs 5 s later",
    file: VE,
    find: "await this.ctx.store.saveValue(this.persistenceId, this.key, change.action.$case === \"update\" ? change.action.value.value : undefined);",
    replace:
      "{ const late = change.action.$case === \"update\" ? change.action.value.value : undefined; setTimeout(() => void this.ctx.store.saveValue(this.persistenceId, this.key, late).catch(() => undefined), 5000); }",
    run: ["Proxy/ValueEntity/stored-value-starts-the-next-stream", "Proxy/ValueEntity/reply-without-state-action-keeps-the-value", "Proxy/ValueEntity/failed-command-writes-nothing"],
    mustFail: ["Proxy/ValueEntity/stored-value-starts-the-next-stream", "Proxy/ValueEntity/reply-without-state-action-keeps-the-value", "Proxy/ValueEntity/failed-command-writes-nothing"],
  },
  {
    name: "command-id-reused",
    rule: "CMD-5",
    fault: "gives every command on a stream the same id (the id counter is never incremented)",
    file: ENTITY,
    find: "const id = this.nextId++;",
    replace: "const id = this.nextId;",
    run: ["Proxy/EventSourced/commands-share-one-stream-with-increasing-ids", "Proxy/Crdt/create-then-update-without-echo"],
    mustFail: ["Proxy/EventSourced/commands-share-one-stream-with-increasing-ids", "Proxy/Crdt/create-then-update-without-echo"],
  },
  {
    name: "queued-commands-dropped-on-restart",
    rule: "ES-51",
    fault: "fails the commands queued behind a command whose failure restarted the entity, instead of delivering them on the new stream",
    file: ENTITY,
    find: "if (this.phase !== \"closed\")\n            this.phase = \"idle\";\n        this.pump();",
    replace:
      "if (this.phase !== \"closed\")\n            this.phase = \"idle\";\n        for (const dropped of this.queue.splice(0)) dropped.resolve({ result: unavailable(\"dropped on restart\"), afterReply: NOTHING_AFTER });\n        this.pump();",
    run: ["Proxy/EventSourced/failure-with-restart-redelivers-queued-commands-in-order", "Proxy/Faults/queued-command-survives-a-broken-stream"],
    mustFail: ["Proxy/EventSourced/failure-with-restart-redelivers-queued-commands-in-order", "Proxy/Faults/queued-command-survives-a-broken-stream"],
  },
  {
    name: "failure-wrong-status",
    rule: "EFF-17",
    fault: "ends a call the user function answered with a failure with INTERNAL instead of UNKNOWN",
    file: "routing/call-result.js",
    find: "export const userFailure = (description) => fail(status.UNKNOWN, description);",
    replace: "export const userFailure = (description) => fail(status.INTERNAL, description);",
    run: ["Proxy/*/failure-is-unknown-*", "Proxy/Errors/failure-description-reaches-the-client-unchanged"],
    mustFail: ["Proxy/*/failure-is-unknown-*", "Proxy/Errors/failure-description-reaches-the-client-unchanged"],
  },
  {
    name: "ve-delete-ignored",
    rule: "VE-16",
    fault: "ignores a value entity's delete state action: the stored value stays",
    file: VE,
    find: "if (change?.action !== undefined) {",
    replace: "if (change?.action?.$case === \"update\") {",
    run: ["Proxy/ValueEntity/deleted-value-is-absent-from-the-next-init", "Proxy/ValueEntity/delete-of-an-unwritten-value-succeeds"],
    mustFail: ["Proxy/ValueEntity/deleted-value-is-absent-from-the-next-init"],
  },
  {
    name: "forward-outcome-dropped",
    rule: "EFF-11",
    fault: "makes the forwarded call but answers the caller with an empty OK response whatever its outcome",
    file: EFFECTS,
    find: "return this.dispatcher.unary(target, requestOf(target, a.value.payload), a.value.metadata, depth + 1);",
    replace:
      "return this.dispatcher.unary(target, requestOf(target, a.value.payload), a.value.metadata, depth + 1).then((outcome) => ({ result: ok(EMPTY), afterReply: outcome.afterReply }));",
    run: ["Proxy/Action/forward-failure-is-the-callers", "Proxy/Effects/forward-failure-reaches-the-caller-after-the-write"],
    mustFail: ["Proxy/Action/forward-failure-is-the-callers", "Proxy/Effects/forward-failure-reaches-the-caller-after-the-write"],
  },
  {
    name: "crdt-value-not-sent-in-init",
    rule: "CRDT-102",
    fault: "opens every CRDT entity stream with an init without state, though the proxy still holds the value",
    file: "crdt-entity/crdt-entity.js",
    find: "this.agreed = this.value.get()?.toState(REPLICA);",
    replace: "this.agreed = undefined;",
    run: ["Proxy/Crdt/value-starts-the-next-stream", "Proxy/Crdt/ormap-value-starts-the-next-stream", "Proxy/Crdt/single-replica-vote-counts-only-this-node"],
    mustFail: ["Proxy/Crdt/value-starts-the-next-stream", "Proxy/Crdt/ormap-value-starts-the-next-stream", "Proxy/Crdt/single-replica-vote-counts-only-this-node"],
  },
  {
    name: "second-command-while-in-flight",
    rule: "CMD-7",
    fault: "sends the next queued command to an event-sourced or value entity while the previous one is still in flight",
    file: ENTITY,
    find: "if (this.phase !== \"ready\")\n            return;\n        const pending = this.queue.shift();",
    replace: "if (this.phase !== \"ready\" && this.phase !== \"busy\")\n            return;\n        const pending = this.queue.shift();",
    run: ["Proxy/*/one-command-in-flight-and-fifo-queue"],
    mustFail: ["Proxy/*/one-command-in-flight-and-fifo-queue"],
  },
  {
    name: "key-case-folded",
    rule: "KEY-6",
    fault: "renders a string key field in lower case, so keys differing only in case reach the same entity",
    file: "frontend/entity-key.js",
    find: "case \"string\":\n            return value;",
    replace: "case \"string\":\n            return value.toLowerCase();",
    run: ["Proxy/EventSourced/string-key-is-used-verbatim"],
    mustFail: ["Proxy/EventSourced/string-key-is-used-verbatim"],
  },
  {
    name: "sync-effect-failure-ignored",
    rule: "EFF-28",
    fault: "goes on as if a failed synchronous side effect had succeeded, and sends the reply",
    file: EFFECTS,
    find: "if (!result.ok) {\n                return userFailure(",
    replace: "if (result.ok === \"never\") {\n                return userFailure(",
    run: ["Proxy/Action/failed-synchronous-side-effect-fails-the-call", "Proxy/Effects/failed-synchronous-side-effect-fails-the-call-but-keeps-the-write"],
    mustFail: ["Proxy/Action/failed-synchronous-side-effect-fails-the-call", "Proxy/Effects/failed-synchronous-side-effect-fails-the-call-but-keeps-the-write"],
  },
  {
    name: "async-effects-skipped",
    rule: "EFF-22",
    fault: "never performs asynchronous side effects",
    file: EFFECTS,
    find: "for (const effect of effects) {\n            void this.call(",
    replace: "for (const effect of []) {\n            void this.call(",
    run: ["Proxy/Effects/asynchronous-side-effect-does-not-hold-the-reply"],
    mustFail: ["Proxy/Effects/asynchronous-side-effect-does-not-hold-the-reply"],
  },
  {
    name: "broken-stream-wrong-status",
    rule: "CMD-43",
    fault: "fails the command in flight on a broken entity stream with INTERNAL instead of UNAVAILABLE",
    file: ENTITY,
    find: "this.abort({ code: status.UNAVAILABLE, message: `the user function's stream for",
    replace: "this.abort({ code: status.INTERNAL, message: `the user function's stream for",
    run: ["Proxy/Faults/*-drop-at-command-1", "Proxy/EventSourced/new-stream-replays-every-acknowledged-event-in-order"],
    mustFail: ["Proxy/Faults/*-drop-at-command-1", "Proxy/EventSourced/new-stream-replays-every-acknowledged-event-in-order"],
  },
  {
    name: "crdt-value-dropped-on-passivation",
    rule: "CRDT-101",
    fault: "forgets a CRDT entity's value when the entity is passivated",
    file: "routing/runtimes.js",
    find: "(key, timeout, gone) => new CrdtEntity(ctx, service.name, key, timeout, gone, crdtValues.holder(service.persistenceId, key))",
    replace:
      "(key, timeout, gone) => { const holder = crdtValues.holder(service.persistenceId, key); return new CrdtEntity(ctx, service.name, key, timeout, () => { holder.set(undefined); gone(); }, holder); }",
    configuration: "passivate-every-command",
    run: ["Proxy/Crdt/*", "Proxy/MutationGaps/crdt-value-survives-passivation"],
    mustFail: ["Proxy/MutationGaps/crdt-value-survives-passivation"],
  },
  {
    name: "eventing-failed-delivery-acknowledged",
    rule: "EVT-20",
    fault: "acknowledges an event whose delivery failed, as if it had succeeded: it is never delivered again",
    file: `${EVENTING}group-consumer.js`,
    find: "if (outcome.ok)\n            subscription.ack(event);\n        else\n            this.scheduleRetry(subscription, prepared, event, 1);",
    replace: "subscription.ack(event);",
    run: ["Proxy/Eventing/failed-delivery-is-retried-with-the-same-event-and-metadata"],
    mustFail: ["Proxy/Eventing/failed-delivery-is-retried-with-the-same-event-and-metadata"],
  },
  {
    name: "eventing-entity-order-ignored",
    rule: "EVT-19",
    fault: "hands out an entity's next event while its previous one is still being retried (every event is its own ordering key)",
    file: `${EVENTING}event-log-source.js`,
    find: "orderingKey: entry.entityId,",
    replace: "orderingKey: String(entry.offset),",
    run: ["Proxy/Eventing/failed-delivery-is-retried-with-the-same-event-and-metadata"],
    mustFail: ["Proxy/Eventing/failed-delivery-is-retried-with-the-same-event-and-metadata"],
  },
  {
    name: "eventing-ce-id-without-sequence",
    rule: "EVT-28 (META-27)",
    fault: "sends the entity id alone as ce-id, without `:` and the event's sequence number",
    file: `${EVENTING}cloud-event.js`,
    find: "id: `${entry.entityId}:${entry.sequence}`,",
    replace: "id: entry.entityId,",
    run: ["Proxy/Eventing/protobuf-event-is-delivered-to-the-method-taking-its-type", "Proxy/Eventing/json-event-*"],
    mustFail: ["Proxy/Eventing/protobuf-event-is-delivered-to-the-method-taking-its-type", "Proxy/Eventing/json-event-*"],
  },
  {
    name: "eventing-any-subscriber-gets-the-event-bytes",
    rule: "EVT-13",
    fault: "sends a method taking google.protobuf.Any the event's value bytes as request, instead of the event's Any itself",
    file: `${EVENTING}event-router.js`,
    find: "return method.input.typeName === ANY_TYPE ? AnyCodec.encode(payload).finish() : payload.value;",
    replace: "return payload.value;",
    run: ["Proxy/Eventing/json-event-is-delivered-as-itself-to-the-method-taking-any"],
    mustFail: ["Proxy/Eventing/json-event-is-delivered-as-itself-to-the-method-taking-any"],
  },
  {
    name: "http-failure-as-200",
    rule: "HTTP-15",
    fault: "answers an HTTP/JSON call that ended with UNKNOWN (a user failure) with HTTP status 200 instead of 500",
    file: "http/status-mapping.js",
    find: "[status.UNKNOWN, 500],",
    replace: "[status.UNKNOWN, 200],",
    run: ["Proxy/Http/failure-is-500-*", "Proxy/Http/stream-failure-before-*"],
    mustFail: ["Proxy/Http/failure-is-500-*", "Proxy/Http/stream-failure-before-*"],
  },
  {
    name: "http-path-variable-ignored",
    rule: "HTTP-7",
    fault: "builds an HTTP/JSON request from the body alone: path variables do not set their fields",
    file: "http/request-transcoder.js",
    find: "setPath(root, fields, textToJson(fields[fields.length - 1], text, `path variable {${path}}`));",
    replace: "void text;",
    run: ["Proxy/Http/event-sourced-rule-*", "Proxy/Http/value-entity-rule-*"],
    mustFail: ["Proxy/Http/event-sourced-rule-*", "Proxy/Http/value-entity-rule-*"],
  },
  {
    name: "http-framing-headers-passed-on",
    rule: "HTTP-17",
    fault: "passes the headers that frame HTTP/1.1 (host, connection, content-length, ...) to the user function as metadata",
    file: "http/http-metadata.js",
    find: 'const HTTP_FRAMING = new Set(["host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length", "expect", "x-grpc-web"]);',
    replace: "const HTTP_FRAMING = new Set([]);",
    run: ["Proxy/Http/event-sourced-rule-*", "Proxy/Http/grpc-web-unary-call"],
    mustFail: ["Proxy/Http/event-sourced-rule-*", "Proxy/Http/grpc-web-unary-call"],
  },
  {
    name: "grpc-web-without-trailers",
    rule: "HTTP-25",
    fault: "ends a gRPC-web response without its trailer frame",
    file: "http/grpc-web-handler.js",
    find: 'this.write(trailerFrame(error?.code ?? status.OK, error?.message ?? ""));',
    replace: "void error;",
    run: ["Proxy/Http/grpc-web-*"],
    mustFail: ["Proxy/Http/grpc-web-*"],
  },
  // The violation cases make the user function break the protocol (FAULT_REPLACE).
  {
    name: "no-report-error",
    rule: "ERR-1",
    fault: "does not call reportError on a protocol violation of an entity's user function",
    file: ENTITY,
    find: "this.ctx.reportError(rule);",
    replace: "void rule;",
    run: [
      "Proxy/Violations/es-failure-reply-with-events-is-a-violation",
      "Proxy/Violations/ve-failure-reply-with-state-action-is-a-violation",
      "Proxy/Violations/crdt-update-of-another-crdt-type-is-a-violation",
    ],
    mustFail: [
      "Proxy/Violations/es-failure-reply-with-events-is-a-violation",
      "Proxy/Violations/ve-failure-reply-with-state-action-is-a-violation",
      "Proxy/Violations/crdt-update-of-another-crdt-type-is-a-violation",
    ],
  },
  {
    name: "es-failure-events-persisted",
    rule: "ES-40",
    fault: "persists the events of a failure reply instead of treating it as a protocol violation",
    file: ES,
    find: "throw new Violation(\"ERR-15: a failure reply carries events or a snapshot\");",
    replace:
      "{ await this.ctx.store.append(this.persistenceId, this.key, this.sequence, reply.events, reply.snapshot); this.sequence += BigInt(reply.events.length); }",
    run: ["Proxy/Violations/es-failure-reply-with-*"],
    mustFail: ["Proxy/Violations/es-failure-reply-with-*"],
  },
];

/**
 * Mutants no proxy-mode case can catch yet (reported as gaps in
 * docs/certifying-a-proxy.md): with PROXY_MUTANTS_GAPS=1 the test runs them
 * and expects them to pass every case in `run`; `mustFail` is empty. One that
 * fails is caught now and belongs in PROXY_MUTANTS.
 */
export const GAP_MUTANTS: readonly ProxyMutant[] = [
  // No method of the TCK model has more than one key field.
  {
    name: "composite-key-joined-with-dash",
    rule: "KEY-11",
    fault: "joins the renderings of several key fields with '-' instead of ':'",
    file: "frontend/entity-key.js",
    find: "key = i === 0 ? text : `${key}:${text}`;",
    replace: "key = i === 0 ? text : `${key}-${text}`;",
    run: ["Proxy/*"],
    mustFail: [],
  },
];
