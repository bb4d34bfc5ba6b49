const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function isSalesforceId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** The case-sensitive 15-character form identifies a record; the 18-character suffix only encodes its case. */
export function idKey(id: string): string {
  return id.length === 18 ? id.slice(0, 15) : id;
}

/** Salesforce's case-safe suffix: one character per 5-character block, with a bit per uppercase letter. */
export function to18(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let flags = 0;
    for (let bit = 0; bit < 5; bit++) {
      const ch = id15.charAt(block * 5 + bit);
      if (ch >= 'A' && ch <= 'Z') flags |= 1 << bit;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return id15 + suffix;
}
