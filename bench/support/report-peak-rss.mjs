// Loaded with `node --import` into a process a benchmark runs (the accord CLI): on exit, its own
// peak RSS (getrusage's maxrss) goes to file descriptor 3, where the benchmark reads it.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  try {
    writeSync(3, `${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
  } catch {
    // No descriptor 3: run outside a benchmark.
  }
});
