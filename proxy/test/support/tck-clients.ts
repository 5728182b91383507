// Typed gRPC clients of the TCK model services, as a client of the proxy calls them.

import { grpcHealth, tckModelAction, tckModelCrdt, tckModelEventSourced, tckModelValueEntity } from "@cloudstate/protocol";
import { type Client, credentials, Metadata } from "@grpc/grpc-js";
import { CALL_DEADLINE_MS, type Outcome, StreamReader, unaryOutcome } from "./grpc-calls.js";

type EsRequest = tckModelEventSourced.Request;
type EsResponse = tckModelEventSourced.Response;
type VeRequest = tckModelValueEntity.Request;
type VeResponse = tckModelValueEntity.Response;
type CrdtRequest = tckModelCrdt.Request;
type CrdtResponse = tckModelCrdt.Response;
type ActionRequest = tckModelAction.Request;
type ActionResponse = tckModelAction.Response;

/** Clients of every TCK model service the tests use, connected to one address. */
export class TckClients {
  readonly eventSourced: tckModelEventSourced.EventSourcedTckModelClient;
  readonly eventSourcedConfigured: tckModelEventSourced.EventSourcedConfiguredClient;
  readonly valueEntity: tckModelValueEntity.ValueEntityTckModelClient;
  readonly crdt: tckModelCrdt.CrdtTckModelClient;
  readonly action: tckModelAction.ActionTckModelClient;
  readonly health: grpcHealth.HealthClient;
  private readonly all: Client[];

  constructor(readonly address: string) {
    const insecure = credentials.createInsecure();
    this.eventSourced = new tckModelEventSourced.EventSourcedTckModelClient(address, insecure);
    this.eventSourcedConfigured = new tckModelEventSourced.EventSourcedConfiguredClient(address, insecure);
    this.valueEntity = new tckModelValueEntity.ValueEntityTckModelClient(address, insecure);
    this.crdt = new tckModelCrdt.CrdtTckModelClient(address, insecure);
    this.action = new tckModelAction.ActionTckModelClient(address, insecure);
    this.health = new grpcHealth.HealthClient(address, insecure);
    this.all = [this.eventSourced, this.eventSourcedConfigured, this.valueEntity, this.crdt, this.action, this.health];
  }

  /** EventSourcedTckModel.Process. */
  esProcess(request: tckModelEventSourced.DeepPartial<EsRequest>, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<EsResponse>> {
    const r = tckModelEventSourced.Request.fromPartial(request);
    return unaryOutcome((q: EsRequest, m, o, cb) => this.eventSourced.process(q, m, o, cb), r, deadlineMs);
  }

  /** EventSourcedConfigured.Call. */
  esConfiguredCall(id: string, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<EsResponse>> {
    return unaryOutcome((q: EsRequest, m, o, cb) => this.eventSourcedConfigured.call(q, m, o, cb), tckModelEventSourced.Request.fromPartial({ id }), deadlineMs);
  }

  /** ValueEntityTckModel.Process. */
  veProcess(request: tckModelValueEntity.DeepPartial<VeRequest>, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<VeResponse>> {
    const r = tckModelValueEntity.Request.fromPartial(request);
    return unaryOutcome((q: VeRequest, m, o, cb) => this.valueEntity.process(q, m, o, cb), r, deadlineMs);
  }

  /** CrdtTckModel.Process. */
  crdtProcess(request: tckModelCrdt.DeepPartial<CrdtRequest>, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<CrdtResponse>> {
    const r = tckModelCrdt.Request.fromPartial(request);
    return unaryOutcome((q: CrdtRequest, m, o, cb) => this.crdt.process(q, m, o, cb), r, deadlineMs);
  }

  /** CrdtTckModel.ProcessStreamed: a server stream, read as it comes. */
  crdtProcessStreamed(request: tckModelCrdt.DeepPartial<tckModelCrdt.StreamedRequest>, deadlineMs = 20_000): StreamReader<CrdtResponse> {
    const r = tckModelCrdt.StreamedRequest.fromPartial(request);
    return new StreamReader(this.crdt.processStreamed(r, new Metadata(), { deadline: Date.now() + deadlineMs }));
  }

  /** ActionTckModel.ProcessUnary. */
  actionUnary(request: tckModelAction.DeepPartial<ActionRequest>, deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<ActionResponse>> {
    const r = tckModelAction.Request.fromPartial(request);
    return unaryOutcome((q: ActionRequest, m, o, cb) => this.action.processUnary(q, m, o, cb), r, deadlineMs);
  }

  /** ActionTckModel.ProcessStreamedIn: sends every request, then half-closes. */
  actionStreamedIn(requests: readonly tckModelAction.DeepPartial<ActionRequest>[], deadlineMs = CALL_DEADLINE_MS): Promise<Outcome<ActionResponse>> {
    return new Promise((resolve) => {
      const call = this.action.processStreamedIn(new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) resolve({ ok: false, code: error.code, details: error.details });
        else resolve({ ok: true, value: response });
      });
      for (const request of requests) call.write(tckModelAction.Request.fromPartial(request));
      call.end();
    });
  }

  /** ActionTckModel.ProcessStreamedOut. */
  actionStreamedOut(request: tckModelAction.DeepPartial<ActionRequest>, deadlineMs = CALL_DEADLINE_MS): StreamReader<ActionResponse> {
    const r = tckModelAction.Request.fromPartial(request);
    return new StreamReader(this.action.processStreamedOut(r, new Metadata(), { deadline: Date.now() + deadlineMs }));
  }

  /** ActionTckModel.ProcessStreamed: the duplex call and a reader of its responses. */
  actionStreamed(deadlineMs = CALL_DEADLINE_MS): { write(request: tckModelAction.DeepPartial<ActionRequest>): void; end(): void; reader: StreamReader<ActionResponse> } {
    const call = this.action.processStreamed(new Metadata(), { deadline: Date.now() + deadlineMs });
    return {
      write: (request) => call.write(tckModelAction.Request.fromPartial(request)),
      end: () => call.end(),
      reader: new StreamReader<ActionResponse>(call),
    };
  }

  /** grpc.health.v1.Health.Check of the whole server. */
  healthCheck(deadlineMs = 1000): Promise<Outcome<grpcHealth.HealthCheckResponse>> {
    return unaryOutcome((q: grpcHealth.HealthCheckRequest, m, o, cb) => this.health.check(q, m, o, cb), { service: "" }, deadlineMs);
  }

  close(): void {
    for (const client of this.all) client.close();
  }
}

/** A request of EventSourcedTckModel that emits one event per value. */
export function emitAll(id: string, ...values: string[]): tckModelEventSourced.DeepPartial<EsRequest> {
  return { id, actions: values.map((value) => ({ action: { $case: "emit" as const, value: { value } } })) };
}
