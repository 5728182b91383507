import { CloudstateServer, type Logger } from "@cloudstate/node-support";
import { contractsDescriptorSetBytes } from "@cloudstate/protocol";
import { actionTckModel, actionTwo } from "./action-model.js";
import { crdtConfigured, crdtTckModel, crdtTwo } from "./crdt-model.js";
import { eventLogSubscriberModel, eventSourcedEntityOne, eventSourcedEntityTwo } from "./eventlogeventing-model.js";
import { eventSourcedConfigured, eventSourcedTckModel, eventSourcedTwo } from "./eventsourced-model.js";
import { valueEntityConfigured, valueEntityTckModel, valueEntityTwo } from "./valueentity-model.js";

/** A server hosting every TCK model service (not yet started). */
export function createTckModelServer(logger?: Logger): CloudstateServer {
  return new CloudstateServer({
    descriptorSet: contractsDescriptorSetBytes(),
    serviceName: "node-support-tck-model",
    serviceVersion: "0.1.0",
    ...(logger ? { logger } : {}),
  })
    .add(eventSourcedTckModel)
    .add(eventSourcedTwo)
    .add(eventSourcedConfigured)
    .add(valueEntityTckModel)
    .add(valueEntityTwo)
    .add(valueEntityConfigured)
    .add(crdtTckModel)
    .add(crdtTwo)
    .add(crdtConfigured)
    .add(actionTckModel)
    .add(actionTwo)
    .add(eventLogSubscriberModel)
    .add(eventSourcedEntityOne)
    .add(eventSourcedEntityTwo);
}
