import { type cloudstate, Empty } from "@cloudstate/protocol";
import { type sendUnaryData, type ServerUnaryCall, status } from "@grpc/grpc-js";
import type { Logger } from "../logger.js";
import type { Component } from "./component.js";
import { formatVersion, isCompatible, SUPPORTED_VERSION } from "./protocol-version.js";

export interface DiscoveryInfo {
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly libraryName: string;
  readonly libraryVersion: string;
}

/** `cloudstate.EntityDiscovery` (spec/discovery.md). */
export function discoveryService(descriptorSet: Uint8Array, components: readonly Component[], info: DiscoveryInfo, logger: Logger) {
  const spec: cloudstate.EntitySpec = {
    proto: descriptorSet,
    entities: components.map((c) => ({
      entityType: c.entityType,
      serviceName: c.serviceName,
      persistenceId: c.persistenceId,
      passivationStrategy:
        c.passivationTimeoutMs === undefined ? undefined : { strategy: { $case: "timeout", value: { timeout: BigInt(c.passivationTimeoutMs) } } },
    })),
    serviceInfo: {
      serviceName: info.serviceName,
      serviceVersion: info.serviceVersion,
      serviceRuntime: `node ${process.version}`,
      supportLibraryName: info.libraryName,
      supportLibraryVersion: info.libraryVersion,
      protocolMajorVersion: SUPPORTED_VERSION.major,
      protocolMinorVersion: SUPPORTED_VERSION.minor,
    },
  };
  return {
    discover(call: ServerUnaryCall<cloudstate.ProxyInfo, cloudstate.EntitySpec>, callback: sendUnaryData<cloudstate.EntitySpec>) {
      const proxy = call.request;
      const proxyVersion = { major: proxy.protocolMajorVersion, minor: proxy.protocolMinorVersion };
      if (!isCompatible(proxyVersion)) {
        const details = `proxy ${proxy.proxyName} ${proxy.proxyVersion} speaks protocol ${formatVersion(proxyVersion)}, this user function speaks ${formatVersion(SUPPORTED_VERSION)}`;
        logger.error("incompatible proxy", { details });
        callback({ code: status.FAILED_PRECONDITION, details });
        return;
      }
      const unsupported = spec.entities.filter((e) => proxy.supportedEntityTypes.length > 0 && !proxy.supportedEntityTypes.includes(e.entityType));
      for (const entity of unsupported) {
        logger.warn("proxy does not support an entity type this user function uses", { service: entity.serviceName, entityType: entity.entityType });
      }
      logger.info("discovered by proxy", {
        proxy: `${proxy.proxyName} ${proxy.proxyVersion}`,
        protocol: formatVersion(proxyVersion),
      });
      callback(null, spec);
    },
    reportError(call: ServerUnaryCall<cloudstate.UserFunctionError, Empty>, callback: sendUnaryData<Empty>) {
      logger.error(`the proxy reports an error in this user function: ${call.request.message}`);
      callback(null, Empty.create());
    },
  };
}
