// The presence example from a browser, over the proxy's HTTP/JSON frontend: each call is a
// POST of the request as JSON to /<package.Service>/<Method>, and a server-streamed answer
// arrives as newline-delimited JSON, one {"result": ...} per message. The page can be served
// from anywhere: the proxy answers cross-origin calls (CORS). Open it with
// ?proxy=http://HOST:PORT naming the proxy's HTTP port; without it, the page's own origin.

const SERVICE = "cloudstate.samples.chat.presence.Presence";
const proxy = new URL(location.href).searchParams.get("proxy") ?? location.origin;

/** Calls a server-streamed method; yields each message until the stream ends or `signal` aborts it. */
async function* streamCall(method, request, signal) {
  const response = await fetch(`${proxy}/${SERVICE}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/x-ndjson" },
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status} ${await response.text()}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === "") continue;
      const item = JSON.parse(line);
      if (item.error !== undefined) throw new Error(`${method}: ${item.error.message ?? JSON.stringify(item.error)}`);
      yield item.result;
    }
  }
}

const showError = (error) => {
  if (error.name !== "AbortError") document.querySelector("#error").textContent = String(error.message ?? error);
};

// Connect: the user is online while the call stays open. It answers nothing, so the call is
// left running until Disconnect (or closing the page) aborts it.
let connection;
document.querySelector("#connect-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const button = document.querySelector("#connect");
  const status = document.querySelector("#connection");
  if (connection !== undefined) {
    connection.abort();
    connection = undefined;
    button.textContent = "Connect";
    status.textContent = "Not connected.";
    return;
  }
  const name = document.querySelector("#me").value.trim();
  connection = new AbortController();
  const { signal } = connection;
  (async () => {
    // Connect answers nothing: the loop only waits for the end of the call.
    for await (const _message of streamCall("Connect", { name }, signal)) void _message;
  })().catch(showError);
  button.textContent = "Disconnect";
  status.textContent = `Connected as ${name}.`;
});

// Monitor: the user's status now, then every change.
document.querySelector("#watch-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = document.querySelector("#who").value.trim();
  if (document.querySelector(`#watched li[data-user="${CSS.escape(name)}"]`) !== null) return;
  const item = document.createElement("li");
  item.dataset.user = name;
  item.textContent = `${name}: …`;
  document.querySelector("#watched").append(item);
  (async () => {
    for await (const status of streamCall("Monitor", { name })) {
      // proto3 JSON leaves out false, the default value.
      const online = status.online === true;
      item.dataset.online = String(online);
      item.textContent = `${name}: ${online ? "online" : "offline"}`;
    }
  })().catch(showError);
});
