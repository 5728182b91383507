export { createTckModelServer } from "./tck-model-server.js";
