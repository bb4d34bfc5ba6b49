/**
 * An independent reader of the two structures splitting must not break: fenced code and
 * `<details>`. Returns what is still open at the end, or a problem found on the way.
 */
export function openBlocks(markdown: string): { fence: boolean; details: number; problem?: string } {
  let fence: string | null = null;
  let details = 0;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence !== null) {
      if (m && m[1]?.[0] === fence[0] && (m[1]?.length ?? 0) >= fence.length && m[2]?.trim() === '')
        fence = null;
      continue;
    }
    if (m) {
      fence = m[1] ?? '';
      continue;
    }
    details += (line.match(/<details\b/g) ?? []).length;
    details -= (line.match(/<\/details>/g) ?? []).length;
    if (details < 0) return { fence: false, details, problem: `unopened </details>: ${line}` };
  }
  return { fence: fence !== null, details };
}
