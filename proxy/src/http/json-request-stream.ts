import type { IncomingMessage } from "node:http";
import type { DescMessage, JsonValue } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { RoutingError } from "../routing/dispatcher.js";
import { MAX_BODY_BYTES } from "./http-exchange.js";
import { type JsonMapping, JsonMappingError } from "./json-mapping.js";

/**
 * The request messages of a client-streamed or bidirectional HTTP/JSON call, in binary form, as
 * they arrive (spec/http.md HTTP-22): the body is newline-delimited JSON, one message per
 * non-blank line, or one JSON array of messages. A message that is not valid JSON of the input
 * type ends the call with INVALID_ARGUMENT.
 */
export async function* jsonRequestMessages(request: IncomingMessage, input: DescMessage, mapping: JsonMapping): AsyncIterable<Uint8Array> {
  const read = textReader(request);
  const convert = (text: string, where: string): Uint8Array => {
    let json: JsonValue;
    try {
      json = JSON.parse(text) as JsonValue;
    } catch (error) {
      throw invalid(`${where} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    return toMessage(json, where);
  };
  const toMessage = (json: JsonValue, where: string): Uint8Array => {
    try {
      return mapping.fromJson(input, json);
    } catch (error) {
      if (error instanceof JsonMappingError) throw invalid(`${where} is not a valid ${input.typeName}: ${error.message}`);
      throw error;
    }
  };
  let pending = "";
  let line = 0;
  let first = true;
  for (let chunk = await read(); chunk !== undefined; chunk = await read()) {
    pending += chunk;
    if (first && pending.trimStart() !== "") {
      first = false;
      if (pending.trimStart().startsWith("[")) {
        // An array is only complete at the end of the body.
        for (let more = await read(); more !== undefined; more = await read()) pending += more;
        let array: JsonValue;
        try {
          array = JSON.parse(pending) as JsonValue;
        } catch (error) {
          throw invalid(`the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (!Array.isArray(array)) throw invalid("the body is not a JSON array of messages");
        for (let i = 0; i < array.length; i++) yield toMessage(array[i] ?? null, `message ${i + 1}`);
        return;
      }
    }
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      line++;
      if (text.trim() !== "") yield convert(text, `line ${line}`);
      newline = pending.indexOf("\n");
    }
  }
  if (pending.trim() !== "") yield convert(pending, `line ${line + 1}`);
}

/** Reads a body as UTF-8 text piece by piece (undefined at its end), within the size limit. */
function textReader(request: IncomingMessage): () => Promise<string | undefined> {
  const iterator = (request as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  let size = 0;
  let done = false;
  return async () => {
    if (done) return undefined;
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      const rest = decoder.decode();
      return rest === "" ? undefined : rest;
    }
    size += next.value.length;
    if (size > MAX_BODY_BYTES) throw new RoutingError({ code: status.RESOURCE_EXHAUSTED, message: `the request body is larger than ${MAX_BODY_BYTES} bytes` });
    return decoder.decode(next.value, { stream: true });
  };
}

function invalid(message: string): RoutingError {
  return new RoutingError({ code: status.INVALID_ARGUMENT, message });
}
