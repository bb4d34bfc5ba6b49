/** RFC 6901 JSON pointers: the address of a value inside a policy document. */

export const escapeSegment = (segment: string | number): string =>
  String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

export const toPointer = (path: readonly (string | number)[]): string =>
  path.map((s) => `/${escapeSegment(s)}`).join('');

export const fromPointer = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
