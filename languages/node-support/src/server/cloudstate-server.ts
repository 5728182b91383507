import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { cloudstate, EntityType } from "@cloudstate/protocol";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { CrdtEntity } from "../crdt/crdt-entity.js";
import { crdtService, crdtServiceDefinition } from "../crdt/crdt-service.js";
import { Action } from "../action/action.js";
import { actionService, actionServiceDefinition } from "../action/action-service.js";
import type { MethodDefinition } from "../effects/service-definition.js";
import { EventSourcedEntity } from "../eventsourced/event-sourced-entity.js";
import { eventSourcedService, eventSourcedServiceDefinition } from "../eventsourced/event-sourced-service.js";
import { createLogger, type Logger } from "../logger.js";
import { ValueEntity } from "../valueentity/value-entity.js";
import { valueEntityService, valueEntityServiceDefinition } from "../valueentity/value-entity-service.js";
import type { Component } from "./component.js";
import { discoveryService } from "./discovery-service.js";
import { LIBRARY_NAME, LIBRARY_VERSION } from "./library-info.js";

/** Anything a server can host. Components differ in message and state types; the server only routes by service name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Hostable = EventSourcedEntity<any, any> | ValueEntity<any, any> | CrdtEntity<any> | Action<any>;

/** What a `CloudstateServer` needs besides the components it hosts. */
export interface CloudstateServerOptions {
  /**
   * Serialized google.protobuf.FileDescriptorSet with every service hosted and
   * its imports (e.g. `buf build -o descriptors.binpb`), sent to the proxy at discovery.
   */
  readonly descriptorSet: Uint8Array;
  /** Name of the user function, reported to the proxy at discovery for its logs (spec/discovery.md DISC-10); empty when unset. */
  readonly serviceName?: string;
  /** Version of the user function, reported at discovery like `serviceName` (DISC-10); empty when unset. */
  readonly serviceVersion?: string;
  /** Where the server and its entity streams log; unset, a `createLogger("cloudstate")` (stderr, LOG_LEVEL). */
  readonly logger?: Logger;
}

/** The address a server listens on. */
export interface BoundAddress {
  /** Host name or IP address the gRPC port is bound to, e.g. `127.0.0.1`. */
  readonly host: string;
  /** TCP port number; in the result of `start`, the port actually bound (never 0). */
  readonly port: number;
}

/**
 * Hosts entities and actions for a Cloudstate proxy: serves entity discovery
 * and the four entity protocols on one gRPC port.
 */
export class CloudstateServer {
  private readonly components: Hostable[] = [];
  private readonly logger: Logger;
  private server: Server | undefined;
  private readonly onSigterm = () => void this.shutdown();

  constructor(private readonly options: CloudstateServerOptions) {
    this.logger = options.logger ?? createLogger("cloudstate");
  }

  /** Adds an entity or action. */
  add(component: Hostable): this {
    if (this.components.some((c) => c.serviceName === component.serviceName)) {
      throw new Error(`${component.serviceName} is already hosted`);
    }
    this.components.push(component);
    return this;
  }

  /**
   * Binds and serves. Host and port default to the HOST and PORT environment
   * variables, then 127.0.0.1:8080. Port 0 picks a free port.
   */
  async start(address: Partial<BoundAddress> = {}): Promise<BoundAddress> {
    if (this.server) throw new Error("already started");
    this.validateDescriptors();
    const host = address.host ?? process.env["HOST"] ?? "127.0.0.1";
    const port = address.port ?? Number(process.env["PORT"] ?? 8080);
    const server = new Server();
    const discovery = discoveryService(
      this.options.descriptorSet,
      this.components.map(describe),
      {
        serviceName: this.options.serviceName ?? "",
        serviceVersion: this.options.serviceVersion ?? "",
        libraryName: LIBRARY_NAME,
        libraryVersion: LIBRARY_VERSION,
      },
      this.logger,
    );
    server.addService(cloudstate.EntityDiscoveryService, discovery);
    server.addService(eventSourcedServiceDefinition, eventSourcedService(this.of(EventSourcedEntity), this.logger));
    server.addService(valueEntityServiceDefinition, valueEntityService(this.of(ValueEntity), this.logger));
    server.addService(crdtServiceDefinition, crdtService(this.of(CrdtEntity), this.logger));
    server.addService(actionServiceDefinition, actionService(this.of(Action), this.logger));
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, boundPort) => {
        if (error) reject(error);
        else resolve(boundPort);
      });
    });
    this.server = server;
    process.once("SIGTERM", this.onSigterm);
    this.logger.info("user function serving", { address: `${host}:${bound}`, services: this.components.map((c) => c.serviceName).join(",") });
    return { host, port: bound };
  }

  /** Stops accepting calls, lets open streams finish for up to `graceMs`, then closes the rest. */
  async shutdown(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    process.removeListener("SIGTERM", this.onSigterm);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.logger.info("user function stopped");
  }

  private of<T extends Hostable>(kind: abstract new (...args: never[]) => T): T[] {
    return this.components.filter((c): c is T => c instanceof kind);
  }

  /** Fails early, with a clear message, when the descriptor set does not describe what is hosted. */
  private validateDescriptors(): void {
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, this.options.descriptorSet));
    for (const component of this.components) {
      const service = registry.getService(component.serviceName);
      if (service === undefined) throw new Error(`the descriptor set has no service ${component.serviceName}`);
      const methods = (component.options as { service: { methods: Record<string, MethodDefinition> } }).service.methods;
      for (const method of Object.values(methods)) {
        if (!service.methods.some((m) => m.name === method.name)) {
          throw new Error(`the descriptor set's ${component.serviceName} has no method ${method.name}`);
        }
      }
    }
  }
}

function describe(component: Hostable): Component {
  return {
    entityType: component.entityType,
    serviceName: component.serviceName,
    persistenceId: component instanceof Action ? "" : component.persistenceId,
    passivationTimeoutMs: component instanceof Action ? undefined : component.options.passivationTimeoutMs,
  };
}

export { EntityType };
