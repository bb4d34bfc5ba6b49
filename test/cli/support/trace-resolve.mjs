// Preloaded with --import: the hooks append every module URL the process resolves to the file
// named by ACCORD_TRACE_RESOLVE, so a test can tell which packages a command really loaded.
import { register } from 'node:module';

register('./trace-resolve-hooks.mjs', {
  parentURL: import.meta.url,
  data: { file: process.env.ACCORD_TRACE_RESOLVE },
});
