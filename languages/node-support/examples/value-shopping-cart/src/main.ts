// Starts the value-entity shopping cart user function on HOST:PORT (default 127.0.0.1:8080).
// SIGTERM stops it gracefully: open calls get a few seconds to finish.
import { createServer } from "./server.js";

await createServer().start();
