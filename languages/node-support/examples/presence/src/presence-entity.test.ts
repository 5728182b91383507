// Presence, checked at the protocol level: the test plays the proxy on a real
// gRPC stream to the example's server, as the reference proxy would.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AnySupport, createLogger } from "@cloudstate/node-support";
import { crdt } from "@cloudstate/protocol";
import { openStream } from "../../../test/support/stream-probe.js";
import { OnlineStatus, User } from "./gen/example/chat/presence/presence.js";
import { createServer } from "./server.js";

type Out = crdt.CrdtStreamOut;

const SERVICE = "cloudstate.samples.chat.presence.Presence";
const anySupport = new AnySupport();
const server = createServer(createLogger("presence-test", "error"));
let address: string;

beforeAll(async () => {
  address = `127.0.0.1:${(await server.start({ host: "127.0.0.1", port: 0 })).port}`;
});
afterAll(() => server.shutdown(100));

/** A stream for one user's presence, as the proxy opens it on one node. */
function openUser(name: string, state?: crdt.CrdtState) {
  const { probe, close } = openStream<crdt.CrdtStreamIn, Out>(
    address,
    "/cloudstate.crdt.Crdt/handle",
    (m) => crdt.CrdtStreamIn.encode(m).finish(),
    (b) => crdt.CrdtStreamOut.decode(b),
  );
  probe.send({ message: { $case: "init", value: { serviceName: SERVICE, entityId: name, state } } });
  const command = (id: bigint, commandName: "Connect" | "Monitor", streamed = true) =>
    probe.send({ message: { $case: "command", value: { entityId: name, id, name: commandName, payload: anySupport.pack(User, { name }), streamed, metadata: undefined } } });
  return {
    probe,
    close,
    connect: (id: bigint, streamed = true) => command(id, "Connect", streamed),
    monitor: (id: bigint) => command(id, "Monitor"),
    cancel: (id: bigint) => probe.send({ message: { $case: "streamCancelled", value: { entityId: name, id } } }),
    /** Another node's vote changed: the proxy sends the new counts. */
    votes: (votesFor: number, totalVoters: number) =>
      probe.send({ message: { $case: "changed", value: { delta: { $case: "vote", value: { selfVote: false, votesFor, totalVoters } } } } }),
  };
}

type Message = NonNullable<Out["message"]>;
type ValueOf = { [M in Message as M["$case"]]: M["value"] };
/** What the entity sent, which must be of the `expected` kind. */
function expectCase<C extends Message["$case"]>(out: Out, expected: C): ValueOf[C] {
  const message = out.message;
  if (message?.$case !== expected) throw new Error(`expected ${expected}, got ${JSON.stringify(message, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
  // TypeScript does not narrow a union by a generic discriminant; the check above does.
  return message.value as ValueOf[C];
}

/** The status a client action sends, if any. */
function status(clientAction: { action?: { $case: string; value: unknown } | undefined } | undefined): boolean | undefined {
  const action = clientAction?.action;
  if (action?.$case !== "reply") return undefined;
  const { payload } = action.value as { payload?: { value: Uint8Array } };
  return payload === undefined ? undefined : OnlineStatus.decode(payload.value).online;
}

/** The vote a state action sets for this node (create or update), if it changes it. */
function selfVote(stateAction: crdt.CrdtStateAction | undefined): boolean | undefined {
  const action = stateAction?.action;
  if (action?.$case === "create" && action.value.state?.$case === "vote") return action.value.state.value.selfVote;
  if (action?.$case === "update" && action.value.delta?.$case === "vote") return action.value.delta.value.selfVote;
  return undefined;
}

describe("presence (proxy's view)", () => {
  it("Monitor answers the current status first and stays open; Connect votes online, cancelling it votes offline", async () => {
    const user = openUser("alice");
    user.monitor(1n);
    const monitored = expectCase(await user.probe.next(), "reply");
    expect(monitored).toMatchObject({ commandId: 1n, streamed: true, stateAction: undefined });
    expect(status(monitored.clientAction)).toBe(false);

    user.connect(2n);
    const connected = expectCase(await user.probe.next(), "reply");
    // Connect sends nothing to its caller; it accepts the stream and votes for the user on this node.
    expect(connected).toMatchObject({ commandId: 2n, streamed: true, clientAction: undefined });
    expect(selfVote(connected.stateAction)).toBe(true);
    const online = expectCase(await user.probe.next(), "streamedMessage");
    expect(online).toMatchObject({ commandId: 1n, endStream: false });
    expect(status(online.clientAction)).toBe(true);

    user.cancel(2n);
    const cancelled = expectCase(await user.probe.next(), "streamCancelledResponse");
    expect(cancelled.commandId).toBe(2n);
    expect(selfVote(cancelled.stateAction)).toBe(false);
    const offline = expectCase(await user.probe.next(), "streamedMessage");
    expect(status(offline.clientAction)).toBe(false);
    user.close();
  });

  it("keeps the user online until the last of several connections on this node goes away", async () => {
    const user = openUser("bob");
    user.monitor(1n);
    expect(status(expectCase(await user.probe.next(), "reply").clientAction)).toBe(false);
    user.connect(2n);
    expect(selfVote(expectCase(await user.probe.next(), "reply").stateAction)).toBe(true);
    expect(status(expectCase(await user.probe.next(), "streamedMessage").clientAction)).toBe(true);
    user.connect(3n);
    // Already voting online: no change, so no state action and nothing for the monitor.
    expect(expectCase(await user.probe.next(), "reply")).toMatchObject({ commandId: 3n, streamed: true, stateAction: undefined });

    user.cancel(2n);
    expect(expectCase(await user.probe.next(), "streamCancelledResponse")).toMatchObject({ commandId: 2n, stateAction: undefined });
    user.cancel(3n);
    expect(selfVote(expectCase(await user.probe.next(), "streamCancelledResponse").stateAction)).toBe(false);
    expect(status(expectCase(await user.probe.next(), "streamedMessage").clientAction)).toBe(false);
    user.close();
  });

  it("reports the user online while another node votes so", async () => {
    const user = openUser("carol", { state: { $case: "vote", value: { selfVote: false, votesFor: 0, totalVoters: 2 } } });
    user.monitor(1n);
    expect(status(expectCase(await user.probe.next(), "reply").clientAction)).toBe(false);
    user.votes(1, 2);
    expect(status(expectCase(await user.probe.next(), "streamedMessage").clientAction)).toBe(true);
    user.votes(0, 2);
    expect(status(expectCase(await user.probe.next(), "streamedMessage").clientAction)).toBe(false);
    user.close();
  });

  it("starts a Monitor on a user already online elsewhere with online", async () => {
    const user = openUser("dave", { state: { $case: "vote", value: { selfVote: false, votesFor: 1, totalVoters: 3 } } });
    user.monitor(1n);
    expect(status(expectCase(await user.probe.next(), "reply").clientAction)).toBe(true);
    user.close();
  });

  it("refuses a Connect that is not a stream", async () => {
    const user = openUser("erin");
    user.connect(1n, false);
    const reply = expectCase(await user.probe.next(), "reply");
    expect(reply.stateAction).toBeUndefined();
    expect(reply.clientAction?.action).toEqual({
      $case: "failure",
      value: { commandId: 1n, restart: false, description: "Connect must be called as a stream: the user is online while it stays open." },
    });
    user.close();
  });
});
