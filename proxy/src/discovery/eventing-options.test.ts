import { describe, expect, it } from "@jest/globals";
import { contractsDescriptorSetBytes, EntityType } from "@cloudstate/protocol";
import { eventingEntitySpec, fromEventLog, type TestService } from "../../test/support/eventing-descriptors.js";
import { SpecError, validateSpec } from "./spec-validation.js";

const MODEL = "cloudstate.tck.model.eventlogeventing";

/** The problems validateSpec finds in a spec of `services` (none: []). */
function problemsOf(services: readonly TestService[]): readonly string[] {
  try {
    validateSpec(eventingEntitySpec(services));
    return [];
  } catch (error) {
    if (error instanceof SpecError) return error.problems;
    throw error;
  }
}

describe("consumer groups at discovery", () => {
  it("reads the TCK model's subscriptions: one default group per source, named after the service (EVT-1)", () => {
    const spec = validateSpec({
      proto: contractsDescriptorSetBytes(),
      entities: [
        { entityType: EntityType.Action, serviceName: `${MODEL}.EventLogSubscriberModel`, persistenceId: "", passivationStrategy: undefined },
        { entityType: EntityType.EventSourced, serviceName: `${MODEL}.EventSourcedEntityOne`, persistenceId: "eventlogeventing-one", passivationStrategy: undefined },
        { entityType: EntityType.EventSourced, serviceName: `${MODEL}.EventSourcedEntityTwo`, persistenceId: "eventlogeventing-two", passivationStrategy: undefined },
      ],
      serviceInfo: undefined,
    });
    expect(spec.consumerGroups?.map((g) => ({ name: g.name, source: g.persistenceId, service: g.service.name, methods: g.methods.map((m) => m.name) }))).toEqual([
      { name: `${MODEL}.EventLogSubscriberModel`, source: "eventlogeventing-one", service: `${MODEL}.EventLogSubscriberModel`, methods: ["ProcessEventOne", "ProcessEventTwo"] },
      { name: `${MODEL}.EventLogSubscriberModel`, source: "eventlogeventing-two", service: `${MODEL}.EventLogSubscriberModel`, methods: ["ProcessAnyEvent"] },
    ]);
  });

  it("has no groups when no method subscribes", () => {
    expect(validateSpec(eventingEntitySpec([{ name: "S", methods: [{ name: "M", input: "t.C" }] }])).consumerGroups).toEqual([]);
  });

  it("splits groups by name and by source, and accepts a source no entity of the spec persists (EVT-7)", () => {
    const spec = validateSpec(
      eventingEntitySpec([
        {
          name: "S",
          methods: [
            { name: "A1", input: "t.A", eventing: fromEventLog("p") },
            { name: "A2", input: "t.A", eventing: fromEventLog("p", "other") },
            { name: "A3", input: "t.A", eventing: fromEventLog("q") },
            { name: "B", input: "t.B", eventing: fromEventLog("p") },
          ],
        },
      ]),
    );
    expect(spec.consumerGroups?.map((g) => [g.name, g.persistenceId, g.methods.map((m) => m.name)])).toEqual([
      ["t.S", "p", ["A1", "B"]],
      ["other", "p", ["A2"]],
      ["t.S", "q", ["A3"]],
    ]);
  });

  it("accepts one group name in two services for different sources", () => {
    expect(
      problemsOf([
        { name: "S", methods: [{ name: "M", input: "t.A", eventing: fromEventLog("p", "g") }] },
        { name: "T", methods: [{ name: "M", input: "t.A", eventing: fromEventLog("q", "g") }] },
      ]),
    ).toEqual([]);
  });

  it.each<[string, TestService[], string[]]>([
    ["an `in` without source (EVT-2)", [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: { in: { consumerGroup: "g" } } }] }], ["t.S.M: option (cloudstate.eventing): `in` names no source; set event_log or topic (EVT-2)"]],
    ["an empty event_log (EVT-2)", [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: fromEventLog("") }] }], ["t.S.M: option (cloudstate.eventing): `in.event_log` is empty (EVT-2)"]],
    ["an `out` without destination (EVT-2)", [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: { out: {} } }] }], ["t.S.M: option (cloudstate.eventing): `out` names no destination; set topic (EVT-2)"]],
    [
      "an empty topic (EVT-2)",
      [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: { in: { source: { $case: "topic", value: "" } }, out: { destination: { $case: "topic", value: "" } } } }] }],
      ["t.S.M: option (cloudstate.eventing): `in.topic` is empty (EVT-2)", "t.S.M: option (cloudstate.eventing): `out.topic` is empty (EVT-2)"],
    ],
    [
      "a topic source, without a broker (EVT-6)",
      [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: { in: { source: { $case: "topic", value: "orders" } } } }] }],
      ['t.S.M: option (cloudstate.eventing): consumes topic "orders", but this proxy has no message broker to serve topics (EVT-6)'],
    ],
    [
      "a topic destination, without a broker (EVT-6)",
      [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: { ...fromEventLog("p"), out: { destination: { $case: "topic", value: "audit" } } } }] }],
      ['t.S.M: option (cloudstate.eventing): publishes to topic "audit", but this proxy has no message broker to serve topics (EVT-6)'],
    ],
    [
      "one topic in and out (EVT-3)",
      [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: { in: { source: { $case: "topic", value: "t" } }, out: { destination: { $case: "topic", value: "t" } } } }] }],
      [
        't.S.M: option (cloudstate.eventing): consumes and publishes to the same topic "t" (EVT-3)',
        't.S.M: option (cloudstate.eventing): consumes topic "t", but this proxy has no message broker to serve topics (EVT-6)',
        't.S.M: option (cloudstate.eventing): publishes to topic "t", but this proxy has no message broker to serve topics (EVT-6)',
      ],
    ],
    [
      "two methods of a group with one input type (EVT-4)",
      [{ name: "S", methods: [{ name: "M", input: "t.A", eventing: fromEventLog("p") }, { name: "N", input: "t.A", eventing: fromEventLog("p") }] }],
      ['t.S.N: takes t.A like M of the same consumer group "t.S" of event log "p", so an event could go to either (EVT-4)'],
    ],
    [
      "two methods of a group taking Any (EVT-4)",
      [{ name: "S", methods: [{ name: "M", input: "google.protobuf.Any", eventing: fromEventLog("p", "g") }, { name: "N", input: "google.protobuf.Any", eventing: fromEventLog("p", "g") }] }],
      ['t.S.N: takes google.protobuf.Any like M of the same consumer group "g" of event log "p", so an event could go to either (EVT-4)'],
    ],
    [
      "one named group in two services for one source (EVT-5)",
      [
        { name: "S", methods: [{ name: "M", input: "t.A", eventing: fromEventLog("p", "g") }] },
        { name: "T", methods: [{ name: "M", input: "t.B", eventing: fromEventLog("p", "g") }] },
      ],
      ['consumer group "g" of event log "p" is used by methods of 2 services (t.S, t.T); a group belongs to one service (EVT-5)'],
    ],
    [
      "a group named after another service's default group (EVT-5)",
      [
        { name: "S", methods: [{ name: "M", input: "t.A", eventing: fromEventLog("p") }] },
        { name: "T", methods: [{ name: "M", input: "t.B", eventing: fromEventLog("p", "t.S") }] },
      ],
      ['consumer group "t.S" of event log "p" is used by methods of 2 services (t.S, t.T); a group belongs to one service (EVT-5)'],
    ],
  ])("refuses %s, naming the method", (_name, services, problems) => {
    expect(problemsOf(services)).toEqual(problems);
  });

  it("reports eventing problems together with the spec's other problems", () => {
    const problems = problemsOf([
      { name: "E", entityType: EntityType.EventSourced, persistenceId: "", methods: [{ name: "M", input: "t.C", eventing: { in: { source: { $case: "topic", value: "x" } } } }] },
    ]);
    expect(problems.some((p) => p.includes("needs a persistence id"))).toBe(true);
    expect(problems.some((p) => p.includes("no entity key field"))).toBe(true);
    expect(problems.some((p) => p.includes("(EVT-6)"))).toBe(true);
  });
});
