import { positionAt } from '../locate.js';
import type { LoadedDocument } from './document.js';
import { allowCodeInSource } from './ts-locate.js';

/** Whether TS policies may run, and if not, why (shown on each refused file). */
export type CodeGate = { allowed: true } | { allowed: false; reason: string; hint: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const REFUSE_HINT =
  'convert this file to JSON, or drop --no-code / settings.allowCode: false if the policy source is trusted';
const FIX_FIRST =
  'fix that first: TypeScript policies run only when every JSON file reads cleanly and none disables code';

/**
 * `allowCode` guards against running code, so nothing code could influence may turn it on: it
 * is read from JSON only, before any TS runs, and every doubt fails closed. Code is refused with
 * `--no-code`; when any JSON file could not be read (it might have said `false`); when a JSON
 * document or its settings are not objects; when `allowCode` is anything but `true` (a string
 * "false" included); and when a TS file sets `allowCode` at all (as written in its source).
 */
export function codeGate(input: {
  noCode?: boolean;
  /** JSON files that failed to read, as shown. */
  unreadableJson: string[];
  json: LoadedDocument[];
  ts: { file: string; text: string }[];
}): CodeGate {
  if (input.noCode) return { allowed: false, reason: '--no-code', hint: REFUSE_HINT };
  const unreadable = input.unreadableJson[0];
  if (unreadable !== undefined)
    return {
      allowed: false,
      reason: `${unreadable} could not be read, and it might set settings.allowCode: false`,
      hint: FIX_FIRST,
    };
  for (const doc of input.json) {
    const settings = isObject(doc.value) ? doc.value.settings : undefined;
    if (!isObject(doc.value) || (settings !== undefined && !isObject(settings)))
      return {
        allowed: false,
        reason: `${doc.file} is not a well-formed policy document, so whether it allows code cannot be told`,
        hint: FIX_FIRST,
      };
    const value = settings?.allowCode;
    if (value === undefined || value === true) continue;
    const line = doc.locate.value('/settings/allowCode').line;
    return value === false
      ? { allowed: false, reason: `settings.allowCode: false in ${doc.file}:${line}`, hint: REFUSE_HINT }
      : {
          allowed: false,
          reason: `settings.allowCode is ${JSON.stringify(value)}, not true or false, in ${doc.file}:${line}`,
          hint: FIX_FIRST,
        };
  }
  for (const { file, text } of input.ts) {
    const found = allowCodeInSource(text);
    if (found !== undefined)
      return {
        allowed: false,
        reason: `${file}:${positionAt(text, found).line} sets settings.allowCode in code, and code cannot switch code off or on`,
        hint: 'write settings.allowCode in a JSON file',
      };
  }
  return { allowed: true };
}
