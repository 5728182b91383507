// Chat presence as a CRDT entity: one Vote per user. Each node votes for the
// users connected to it; a user is online while at least one node votes so.
import { type Crdt, CrdtEntity, Vote } from "@cloudstate/node-support";
import { OnlineStatus, PresenceDefinition } from "./gen/example/chat/presence/presence.js";

/** The entity's value as a Vote (undefined before anyone connected or monitored). */
function voteOf(state: Crdt | undefined): Vote | undefined {
  if (state === undefined || state instanceof Vote) return state;
  throw new Error(`a presence entity holds a Vote, not a ${state.type}`);
}

const isOnline = (state: Crdt | undefined): boolean => voteOf(state)?.atLeastOne ?? false;

/**
 * Open Connect calls per user on this node. The vote is per node, and a user may
 * connect several times to the same node: it votes false only when the last
 * of them goes away. A CRDT entity keeps no instance state of its own, so the
 * count lives here, for the life of the process.
 */
const connections = new Map<string, number>();

/** One entity per user: the entity key is the user's `name`. */
export const presence = new CrdtEntity({
  service: PresenceDefinition,
  commands: {
    connect: (_user, ctx) => {
      if (!ctx.streamed) return ctx.fail("Connect must be called as a stream: the user is online while it stays open.");
      const vote = voteOf(ctx.state) ?? ctx.create(new Vote());
      connections.set(ctx.entityId, (connections.get(ctx.entityId) ?? 0) + 1);
      vote.selfVote = true;
      ctx.onCancel = (cancelled) => {
        const left = (connections.get(cancelled.entityId) ?? 1) - 1;
        if (left > 0) {
          connections.set(cancelled.entityId, left);
          return;
        }
        connections.delete(cancelled.entityId);
        const current = voteOf(cancelled.state);
        if (current !== undefined) current.selfVote = false;
      };
      // Connect sends nothing: the call stays open until the caller cancels it.
      return ctx.noReply();
    },
    monitor: (_user, ctx) => {
      if (!ctx.streamed) return ctx.fail("Monitor must be called as a stream.");
      let last = isOnline(ctx.state);
      ctx.onStateChange = (state) => {
        const online = isOnline(state);
        if (online === last) return undefined; // a change of the vote counts that changes nothing for the caller
        last = online;
        return OnlineStatus.create({ online });
      };
      // The reply is the stream's first message: the current status.
      return OnlineStatus.create({ online: last });
    },
  },
});
