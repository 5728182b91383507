// Starts the TCK model user function on HOST:PORT (default 127.0.0.1:8080).
import { createTckModelServer } from "./tck-model-server.js";

await createTckModelServer().start();
