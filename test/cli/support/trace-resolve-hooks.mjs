import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}
// Written synchronously from the hooks thread, so nothing is lost when the process exits early.
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, `${result.url}\n`);
  return result;
}
