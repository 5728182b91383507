// Preloaded into the proxy for the memory measurement only (node --expose-gc --import
// bench/dist/mem-probe.js proxy/dist/cli.js ...): on SIGUSR2 it runs two full garbage
// collections and prints `BENCH_MEMORY {rss, heapUsed, external, arrayBuffers, heapTotal}` on
// stderr. It adds nothing to the proxy's work otherwise.

const collect = (globalThis as { gc?: () => void }).gc;

process.on("SIGUSR2", () => {
  collect?.();
  // A second pass after the event loop turned frees what the first one only finalised.
  setImmediate(() => {
    collect?.();
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    process.stderr.write(`BENCH_MEMORY ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers, gc: collect !== undefined })}\n`);
  });
});
