// The standard gRPC health service (grpc.health.v1.Health) over a status table the proxy keeps
// up to date: not serving until discovery succeeds, serving while it serves the user's services,
// not serving again during shutdown. Load balancers and grpc-health-probe read it.

import { grpcHealth } from "@cloudstate/protocol";
import { type ServiceDefinition, status as GrpcStatus, type UntypedServiceImplementation } from "@grpc/grpc-js";

/** A health status as sent on the wire (UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN). */
export const ServingStatus = grpcHealth.HealthCheckResponse_ServingStatus;
/** A health status as sent on the wire (UNKNOWN, SERVING, NOT_SERVING, SERVICE_UNKNOWN). */
export type ServingStatus = grpcHealth.HealthCheckResponse_ServingStatus;

/** The service name that stands for the proxy as a whole. */
export const OVERALL = "";

/** The most services List answers; grpc's contract fails larger answers with RESOURCE_EXHAUSTED. */
const LIST_LIMIT = 100;

type Listener = (service: string, status: ServingStatus) => void;

/**
 * The health of the proxy (service name `""`) and of each service it serves. Changes are pushed to
 * Watch streams. After {@link HealthStatus.shutdown} every service reads NOT_SERVING and further
 * changes are ignored, so that a late update cannot make a stopping proxy look healthy.
 */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Set<Listener>();
  private readonly enders = new Set<() => void>();
  private shuttingDown = false;

  /** @param overall initial status of the proxy as a whole; NOT_SERVING until it is ready. */
  constructor(overall: ServingStatus = ServingStatus.NOT_SERVING) {
    this.statuses.set(OVERALL, overall);
  }

  /** Sets the status of `service` (`""` for the proxy as a whole). */
  set(service: string, status: ServingStatus): void {
    if (this.shuttingDown) return;
    this.update(service, status);
  }

  /** Shorthand for `set(service, serving ? SERVING : NOT_SERVING)`. */
  setServing(service: string, serving: boolean): void {
    this.set(service, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  /** Forgets `service`: Check answers NOT_FOUND and watchers see SERVICE_UNKNOWN. */
  remove(service: string): void {
    if (this.shuttingDown || !this.statuses.delete(service)) return;
    this.notify(service, ServingStatus.SERVICE_UNKNOWN);
  }

  /** The status of `service`, or undefined when it is not known. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Whether `service` (default: the proxy as a whole) is SERVING. */
  isServing(service: string = OVERALL): boolean {
    return this.statuses.get(service) === ServingStatus.SERVING;
  }

  /** Every known service and its status. */
  entries(): ReadonlyMap<string, ServingStatus> {
    return new Map(this.statuses);
  }

  /** Marks every service NOT_SERVING and ignores later changes (graceful shutdown). */
  shutdown(): void {
    for (const service of [...this.statuses.keys()]) this.update(service, ServingStatus.NOT_SERVING);
    this.shuttingDown = true;
  }

  /**
   * Ends every open Watch stream with status OK. Open Watch streams would otherwise hold a
   * graceful server shutdown (grpc-js `tryShutdown`) until its grace runs out; call this after
   * {@link shutdown} and before closing the server. Clients reconnect per the contract, and
   * then find the server gone.
   */
  endWatches(): void {
    for (const end of [...this.enders]) end();
  }

  /**
   * Calls `listener` on every change, and `onEnd` on {@link endWatches}, until the returned
   * function is called.
   */
  subscribe(listener: Listener, onEnd?: () => void): () => void {
    this.listeners.add(listener);
    if (onEnd !== undefined) this.enders.add(onEnd);
    return () => {
      this.listeners.delete(listener);
      if (onEnd !== undefined) this.enders.delete(onEnd);
    };
  }

  private update(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    this.notify(service, status);
  }

  private notify(service: string, status: ServingStatus): void {
    for (const listener of [...this.listeners]) listener(service, status);
  }
}

/** A gRPC service ready for grpc-js `server.addService(definition, implementation)`. */
export interface ServiceRegistration {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/** The grpc.health.v1.Health service (Check, List, Watch) answering from `health`. */
export function healthService(health: HealthStatus): ServiceRegistration {
  const implementation: grpcHealth.HealthServer = {
    check(call, callback) {
      const status = health.get(call.request.service);
      if (status === undefined) {
        callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
      } else {
        callback(null, { status });
      }
    },

    list(_call, callback) {
      const entries = health.entries();
      if (entries.size > LIST_LIMIT) {
        callback({
          code: GrpcStatus.RESOURCE_EXHAUSTED,
          details: `${entries.size} services exceed the limit of ${LIST_LIMIT} for List`,
        });
        return;
      }
      const statuses: Record<string, grpcHealth.HealthCheckResponse> = {};
      for (const [service, status] of entries) statuses[service] = { status };
      callback(null, { statuses });
    },

    watch(call) {
      const service = call.request.service;
      call.write({ status: health.get(service) ?? ServingStatus.SERVICE_UNKNOWN });
      // HealthStatus notifies changes only, so every notification for this service is news.
      const unsubscribe = health.subscribe(
        (changed, status) => {
          if (changed === service) call.write({ status });
        },
        () => {
          unsubscribe();
          call.end();
        },
      );
      // The stream stays open until the client goes away; grpc-js reports that as cancelled.
      call.on("cancelled", unsubscribe);
      call.on("close", unsubscribe);
      call.on("error", unsubscribe);
    },
  };
  return { definition: grpcHealth.HealthService, implementation };
}
