// The bench user function, written with @cloudstate/node-support on the TCK contract
// (EventSourcedTckModel; no bench-specific .proto). Unlike the TCK model, whose state is the
// concatenation of every event and so grows with each command, its state is a counter and the
// last event's value: constant size, so per-command cost does not drift during a run. Each Emit
// action of a request emits one Persisted event; the response is `<event count>:<last value>`.
// No snapshots, so a replay goes through every event. Prints `LISTENING <port>` once bound.
//
//   node bench/dist/user-function.js [--port 0]

import { CloudstateServer, EventSourcedEntity, on } from "@cloudstate/node-support";
import { contractsDescriptorSetBytes, tckModelEventSourced as model } from "@cloudstate/protocol";
import { Flags } from "./args.js";
import { PERSISTENCE_ID } from "./workload.js";

const { Persisted, Response } = model;

interface Counter {
  readonly count: number;
  readonly last: string;
}

const counter = new EventSourcedEntity({
  service: model.EventSourcedTckModelDefinition,
  persistenceId: PERSISTENCE_ID,
  initialState: (): Counter => ({ count: 0, last: "" }),
  events: [on(Persisted, (event, state: Counter): Counter => ({ count: state.count + 1, last: event.value }))],
  commands: {
    process: (request, ctx) => {
      for (const { action } of request.actions) {
        if (action?.$case === "emit") ctx.emit(Persisted, Persisted.create({ value: action.value.value }));
      }
      return Response.create({ message: `${ctx.state.count}:${ctx.state.last}` });
    },
  },
});

const flags = new Flags(process.argv.slice(2));
const server = new CloudstateServer({ descriptorSet: contractsDescriptorSetBytes(), serviceName: "bench-user-function", serviceVersion: "0.1.0" }).add(counter);
const bound = await server.start({ host: "127.0.0.1", port: flags.number("port", 0) });
process.stdout.write(`LISTENING ${bound.port}\n`);
// CloudstateServer shuts down on SIGTERM; exit once it has.
process.on("SIGTERM", () => setTimeout(() => process.exit(0), 1000).unref());
