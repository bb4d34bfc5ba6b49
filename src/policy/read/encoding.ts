import type { Position } from '../locate.js';

/** Why a policy file's bytes are not text accord will read, and where. */
export interface EncodingProblem {
  code: string;
  message: string;
  hint: string;
  at: Position;
}

export type Decoded = { text: string } | { problem: EncodingProblem };

const SAVE_AS_UTF8 = 'save the file as UTF-8 (in most editors: "Save with Encoding" → UTF-8)';

/**
 * Policy files are UTF-8. Decoding is strict (`fatal: true`): a byte sequence that is not UTF-8 is
 * refused with its position, never replaced by U+FFFD, because a silently altered group or profile
 * name would grant or revoke access under a name nobody wrote.
 *
 * A UTF-8 byte order mark is accepted and dropped, as most JSON tools do: it carries no meaning in
 * UTF-8 and Windows editors add it unasked. Positions are counted without it, as editors show them.
 * UTF-16 and UTF-32 (with a BOM, or recognisable by their NUL bytes) are refused with a hint.
 */
export function decodePolicyText(bytes: Uint8Array): Decoded {
  const wide = wideEncoding(bytes);
  if (wide)
    return {
      problem: {
        code: 'load.encoding',
        message: `file is ${wide}; accord reads policy files as UTF-8`,
        hint: SAVE_AS_UTF8,
        at: { line: 1, column: 1 },
      },
    };
  const body = hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0)
    return {
      problem: {
        code: 'load.encoding',
        message: 'file contains a NUL byte: it is binary, or not UTF-8 text',
        hint: SAVE_AS_UTF8,
        at: positionOfByte(body, nul),
      },
    };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body) };
  } catch {
    const bad = firstInvalidUtf8(body);
    const byte =
      bad < body.length ? ` (byte 0x${body[bad]!.toString(16).toUpperCase().padStart(2, '0')})` : '';
    return {
      problem: {
        code: 'load.encoding',
        message: `file is not valid UTF-8${byte}; it may be Latin-1 or Windows-1252`,
        hint: SAVE_AS_UTF8,
        at: positionOfByte(body, Math.min(bad, body.length)),
      },
    };
  }
}

const hasUtf8Bom = (b: Uint8Array) => b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/** UTF-32 or UTF-16 by byte order mark, else UTF-16 guessed from a NUL in the first two bytes. */
function wideEncoding(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return 'UTF-32 (little-endian)';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32 (big-endian)';
  if (b[0] === 0xff && b[1] === 0xfe) return 'UTF-16 (little-endian)';
  if (b[0] === 0xfe && b[1] === 0xff) return 'UTF-16 (big-endian)';
  // Without a BOM: ASCII text in UTF-16 has a NUL in every other byte, starting at once.
  if (b.length >= 2 && b[0] !== 0 && b[1] === 0) return 'UTF-16 (little-endian, no byte order mark)';
  if (b.length >= 2 && b[0] === 0 && b[1] !== 0) return 'UTF-16 (big-endian, no byte order mark)';
  return undefined;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const lead = b[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Lead byte: how many continuation bytes, and the allowed range of the first one (this is
    // what rules out overlong forms, surrogates and code points above U+10FFFF).
    const [count, low, high] =
      lead >= 0xc2 && lead <= 0xdf
        ? [1, 0x80, 0xbf]
        : lead === 0xe0
          ? [2, 0xa0, 0xbf]
          : lead === 0xed
            ? [2, 0x80, 0x9f]
            : lead >= 0xe1 && lead <= 0xef
              ? [2, 0x80, 0xbf]
              : lead === 0xf0
                ? [3, 0x90, 0xbf]
                : lead === 0xf4
                  ? [3, 0x80, 0x8f]
                  : lead >= 0xf1 && lead <= 0xf3
                    ? [3, 0x80, 0xbf]
                    : [0, 0, 0];
    if (count === 0) return i;
    for (let k = 1; k <= count; k++) {
      const next = b[i + k];
      const [lo, hi] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < lo || next > hi) return i;
    }
    i += count + 1;
  }
  return b.length;
}

/** 1-based line and column of a byte offset; the column counts characters (UTF-16 units, as editors do). */
function positionOfByte(b: Uint8Array, offset: number): Position {
  const lineStart = offset === 0 ? 0 : b.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (b[i] === 0x0a) line++;
  // The bytes before `offset` on its line are valid UTF-8 (offset is the first bad one).
  const before = new TextDecoder('utf-8').decode(b.subarray(lineStart, offset));
  return { line, column: before.length + 1 };
}
