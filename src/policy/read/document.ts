import type { Locator } from '../locate.js';

/** One policy document as loaded, with what is needed to point back into its source. */
export interface LoadedDocument {
  /** Path as shown to the user (relative to the current directory). */
  file: string;
  format: 'json' | 'ts';
  /** The document value (not yet validated). */
  value: unknown;
  /** JSON pointer prefix of this value inside the file's export (TS files may export arrays). */
  base: string;
  locate: Locator;
}
