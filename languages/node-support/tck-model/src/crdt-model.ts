import {
  type Crdt,
  CrdtClock,
  CrdtEntity,
  CrdtWriteConsistency,
  Flag,
  GCounter,
  GSet,
  LWWRegister,
  ORMap,
  ORSet,
  PNCounter,
  primitives,
  Vote,
} from "@cloudstate/node-support";
import { tckModelCrdt as model } from "@cloudstate/protocol";

const { Response, Request } = model;
type Update = model.Update;
type State = model.State;
const str = { codec: primitives.string };

/** The CRDT type a key or entity id names by its prefix before the first hyphen. */
function crdtFor(name: string): Crdt {
  const type = name.split("-")[0];
  switch (type) {
    case "GCounter":
      return new GCounter();
    case "PNCounter":
      return new PNCounter();
    case "GSet":
      return new GSet<string>(str);
    case "ORSet":
      return new ORSet<string>(str);
    case "LWWRegister":
      return new LWWRegister<string>("", str);
    case "Flag":
      return new Flag();
    case "ORMap":
      return new ORMap<string>(str);
    case "Vote":
      return new Vote();
    default:
      throw new Error(`unknown CRDT type in "${name}"`);
  }
}

/** The value as the class its type needs; the id prefix decides both, so a mismatch is a bug. */
function as<T extends Crdt>(crdt: Crdt, kind: abstract new (...args: never[]) => T): T {
  if (!(crdt instanceof kind)) throw new Error(`expected a ${kind.name}, the entity holds a ${crdt.type}`);
  return crdt;
}

const CLOCKS: Record<model.LWWRegisterClockType, CrdtClock> = {
  [model.LWWRegisterClockType.DEFAULT]: CrdtClock.DEFAULT,
  [model.LWWRegisterClockType.REVERSE]: CrdtClock.REVERSE,
  [model.LWWRegisterClockType.CUSTOM]: CrdtClock.CUSTOM,
  [model.LWWRegisterClockType.CUSTOM_AUTO_INCREMENT]: CrdtClock.CUSTOM_AUTO_INCREMENT,
  [model.LWWRegisterClockType.UNRECOGNIZED]: CrdtClock.DEFAULT,
};

/** Applies an update to a CRDT of the matching type (nested for ORMap values). */
function applyUpdate(crdt: Crdt, update: Update): void {
  const u = update.update;
  switch (u?.$case) {
    case "gcounter":
      as(crdt, GCounter).increment(u.value.increment);
      return;
    case "pncounter":
      as(crdt, PNCounter).increment(u.value.change);
      return;
    case "gset":
      as<GSet<string>>(crdt, GSet).add(u.value.add);
      return;
    case "orset": {
      const set = as<ORSet<string>>(crdt, ORSet);
      const a = u.value.action;
      if (a?.$case === "add") set.add(a.value);
      else if (a?.$case === "remove") set.delete(a.value);
      else if (a?.$case === "clear" && a.value) set.clear();
      return;
    }
    case "lwwregister": {
      const clock = u.value.clock;
      as<LWWRegister<string>>(crdt, LWWRegister).setValue(u.value.value, CLOCKS[clock?.clockType ?? model.LWWRegisterClockType.DEFAULT], clock?.customClockValue ?? 0n);
      return;
    }
    case "flag":
      as(crdt, Flag).enable();
      return;
    case "ormap": {
      const map = as<ORMap<string>>(crdt, ORMap);
      const a = u.value.action;
      if (a?.$case === "add") map.getOrCreate(a.value, () => crdtFor(a.value));
      else if (a?.$case === "update") {
        const key = a.value.key;
        if (a.value.update) applyUpdate(map.getOrCreate(key, () => crdtFor(key)), a.value.update);
      } else if (a?.$case === "remove") map.delete(a.value);
      else if (a?.$case === "clear" && a.value) map.clear();
      return;
    }
    case "vote":
      as(crdt, Vote).selfVote = u.value.selfVote;
      return;
    case undefined:
      return;
  }
}

const sorted = (values: Iterable<string>) => [...values].sort();

/** The model's view of a CRDT value, with sets and maps sorted so responses are comparable. */
function stateOf(crdt: Crdt): State {
  switch (crdt.type) {
    case "GCounter":
      return { value: { $case: "gcounter", value: { value: as(crdt, GCounter).value } } };
    case "PNCounter":
      return { value: { $case: "pncounter", value: { value: as(crdt, PNCounter).value } } };
    case "GSet":
      return { value: { $case: "gset", value: { elements: sorted(as<GSet<string>>(crdt, GSet)) } } };
    case "ORSet":
      return { value: { $case: "orset", value: { elements: sorted(as<ORSet<string>>(crdt, ORSet)) } } };
    case "LWWRegister":
      return { value: { $case: "lwwregister", value: { value: as<LWWRegister<string>>(crdt, LWWRegister).value } } };
    case "Flag":
      return { value: { $case: "flag", value: { value: as(crdt, Flag).value } } };
    case "ORMap": {
      const map = as<ORMap<string>>(crdt, ORMap);
      const entries = sorted(map.keys()).map((key) => {
        const value = map.get(key);
        return { key, value: value ? stateOf(value) : undefined };
      });
      return { value: { $case: "ormap", value: { entries } } };
    }
    case "Vote": {
      const vote = as(crdt, Vote);
      return { value: { $case: "vote", value: { selfVote: vote.selfVote, votesFor: vote.votesFor, totalVoters: vote.voters } } };
    }
  }
}

/** The entity's value, created from its id's prefix on first change. */
function valueFor(ctx: { state: Crdt | undefined; create(value: Crdt): Crdt }, entityId: string): Crdt {
  return ctx.state ?? ctx.create(crdtFor(entityId));
}

const CONSISTENCY: Record<model.UpdateWriteConsistency, CrdtWriteConsistency> = {
  [model.UpdateWriteConsistency.LOCAL]: CrdtWriteConsistency.LOCAL,
  [model.UpdateWriteConsistency.MAJORITY]: CrdtWriteConsistency.MAJORITY,
  [model.UpdateWriteConsistency.ALL]: CrdtWriteConsistency.ALL,
  [model.UpdateWriteConsistency.UNRECOGNIZED]: CrdtWriteConsistency.LOCAL,
};
const consistency = (update: Update) => CONSISTENCY[update.writeConsistency];

/**
 * CrdtTckModel exactly as proto/cloudstate/tck/model/crdt.proto describes it.
 * `ProcessStreamed` accepts the stream, replies with the current state (unless
 * `empty`), and sends the state after every change, including the one its own
 * `initial_update` makes (spec/crdt.md CRDT-89).
 */
export const crdtTckModel = new CrdtEntity({
  service: model.CrdtTckModelDefinition,
  types: [primitives.string],
  commands: {
    process: (request, ctx) => {
      let forward: ReturnType<typeof ctx.forward> | undefined;
      for (const { action } of request.actions) {
        switch (action?.$case) {
          case "update":
            applyUpdate(valueFor(ctx, request.id), action.value);
            ctx.writeConsistency = consistency(action.value);
            break;
          case "delete":
            if (ctx.state !== undefined) ctx.delete();
            break;
          case "forward":
            forward = ctx.forward(model.CrdtTwoDefinition, "call", Request.create({ id: action.value.id }));
            break;
          case "effect":
            ctx.effect(model.CrdtTwoDefinition, "call", Request.create({ id: action.value.id }), { synchronous: action.value.synchronous });
            break;
          case "fail":
            return ctx.fail(action.value.message);
          case undefined:
            break;
        }
      }
      return forward ?? Response.create({ state: stateOf(ctx.state ?? crdtFor(request.id)) });
    },
    processStreamed: (request, ctx) => {
      if (ctx.streamed) {
        ctx.onStateChange = (state, change) => {
          if (request.empty) return undefined;
          for (const effect of request.effects) {
            change.effect(model.CrdtTwoDefinition, "call", Request.create({ id: effect.id }), { synchronous: effect.synchronous });
          }
          const current = stateOf(state ?? crdtFor(request.id));
          if (request.endState !== undefined && sameState(current, request.endState)) change.end();
          return Response.create({ state: current });
        };
        const cancelUpdate = request.cancelUpdate;
        if (cancelUpdate !== undefined) {
          ctx.onCancel = (cancel) => {
            applyUpdate(valueFor(cancel, request.id), cancelUpdate);
            cancel.writeConsistency = consistency(cancelUpdate);
          };
        }
      }
      if (request.initialUpdate !== undefined) {
        applyUpdate(valueFor(ctx, request.id), request.initialUpdate);
        ctx.writeConsistency = consistency(request.initialUpdate);
      }
      return request.empty ? ctx.noReply() : Response.create({ state: stateOf(ctx.state ?? crdtFor(request.id)) });
    },
  },
});

function sameState(a: State, b: State): boolean {
  return Buffer.from(model.State.encode(a).finish()).equals(Buffer.from(model.State.encode(b).finish()));
}

/** Target of forwards and side effects; deletes its own entity when asked. */
export const crdtTwo = new CrdtEntity({
  service: model.CrdtTwoDefinition,
  commands: {
    call: (request, ctx) => {
      if (request.actions.some((a) => a.action?.$case === "delete") && ctx.state !== undefined) ctx.delete();
      return Response.create();
    },
  },
});

/** Checks that the library reports its configuration: passivation after 100 ms. */
export const crdtConfigured = new CrdtEntity({
  service: model.CrdtConfiguredDefinition,
  passivationTimeoutMs: 100,
  commands: { call: () => Response.create() },
});
