// Every mutant the TCK must catch (see docs/tck-for-sdk-authors.md, "Proving the TCK can fail").
import type { Mutation } from "../mutation.js";
import { actionMutations, discoveryMutations } from "./action-discovery-mutations.js";
import { crdtMutations } from "./crdt-mutations.js";
import { crdtStreamedMutations } from "./crdt-streamed-mutations.js";
import { eventSourcedMutations } from "./eventsourced-mutations.js";
import { closedGapMutations } from "./gap-mutations.js";
import { streamMutations } from "./stream-mutations.js";
import { valueEntityMutations } from "./valueentity-mutations.js";

export const MUTATIONS: readonly Mutation[] = [
  ...discoveryMutations,
  ...eventSourcedMutations,
  ...valueEntityMutations,
  ...streamMutations,
  ...crdtMutations,
  ...crdtStreamedMutations,
  ...actionMutations,
  ...closedGapMutations,
];
