// What a mutant is: the reference user function (node-support's TCK model)
// with exactly one protocol rule broken. The harness (mutant-server.ts) sits
// between the TCK and the real model process and relays every call; a
// Mutation decides, per call, how the messages and the end of the call are
// rewritten on the way through. Everything a mutation does not touch reaches
// the other side byte for byte, so a mutant differs from the model only in
// the rule it names.
import type { StatusObject } from "@grpc/grpc-js";

/** The two directions of one relayed call, and its end towards the TCK. */
export interface Relay {
  /** The gRPC path, e.g. `/cloudstate.eventsourced.EventSourced/handle`. */
  readonly method: string;
  /** Sends a message to the model (as if the TCK had sent it). */
  toModel(message: Uint8Array): void;
  /** Sends a message to the TCK (as if the model had sent it). */
  toTck(message: Uint8Array): void;
  /** Ends the call towards the TCK with this status (OK or an error). */
  end(status: StatusObject): void;
}

/**
 * Rewrites one call. Every hook is optional; a missing hook relays unchanged.
 * Hooks may hold messages back and send them later through the relay.
 */
export interface CallMutator {
  /** A message from the TCK (playing the proxy) on its way to the model. */
  fromTck?(message: Uint8Array, relay: Relay): void;
  /** A message from the model on its way to the TCK. */
  fromModel?(message: Uint8Array, relay: Relay): void;
  /** The model ended the call with `status`; the hook decides how (and whether) the TCK sees the end. */
  modelEnded?(status: StatusObject, relay: Relay): void;
}

/** One mutant: the model with one rule broken, and what the TCK must say about it. */
export interface Mutation {
  /** Kebab-case name, e.g. `es-reply-with-wrong-command-id`. */
  readonly name: string;
  /** The spec statement(s) broken, e.g. `CMD-6`. */
  readonly rule: string;
  /** What the mutant does differently from the model, in one sentence. */
  readonly breaks: string;
  /** The TCK `--run` pattern that covers what the mutant touches (keeps the run short). */
  readonly run: string;
  /**
   * Case-name patterns (`*` = any characters) the TCK must fail: every case
   * run that a pattern matches must fail, and each pattern must match at
   * least one case that ran.
   */
  readonly mustFail: readonly string[];
  /**
   * The rule is a SHOULD: an advisory case reporting a warning catches the
   * mutant (a broken SHOULD does not fail a run, spec/README.md §1.1).
   */
  readonly advisory?: boolean;
  /** Called once per relayed call; undefined relays the call unchanged. */
  mutate(method: string): CallMutator | undefined;
}

/** gRPC paths of the protocol services the harness serves. */
export const PATHS = {
  discover: "/cloudstate.EntityDiscovery/discover",
  reportError: "/cloudstate.EntityDiscovery/reportError",
  eventSourced: "/cloudstate.eventsourced.EventSourced/handle",
  valueEntity: "/cloudstate.valueentity.ValueEntity/handle",
  crdt: "/cloudstate.crdt.Crdt/handle",
  actionUnary: "/cloudstate.action.ActionProtocol/handleUnary",
  actionStreamedIn: "/cloudstate.action.ActionProtocol/handleStreamedIn",
  actionStreamedOut: "/cloudstate.action.ActionProtocol/handleStreamedOut",
  actionStreamed: "/cloudstate.action.ActionProtocol/handleStreamed",
} as const;

/** The entity stream paths: the calls whose first message must be `init`. */
export const ENTITY_STREAMS: readonly string[] = [PATHS.eventSourced, PATHS.valueEntity, PATHS.crdt];
