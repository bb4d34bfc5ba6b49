/**
 * The one redaction point. Every string that leaves accord (terminal, JSON, Markdown, plan files,
 * audit log, state, error messages) passes through `redact`, which replaces the secret values this
 * process knows (read from the environment or obtained at run time, registered here) and anything
 * shaped like a credential. Providers call it before they cut a message short: a secret cut in
 * half would no longer match.
 */

const REDACTED = '***';

/**
 * Shorter values are not registered: replacing a four-letter "secret" everywhere would mangle
 * logins and addresses while protecting nothing a guess would not find.
 */
const MIN_SECRET_LENGTH = 8;

const known = new Set<string>();

/** Adds secret values (tokens, keys, passwords) to what every later `redact` call replaces. */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
    known.add(value);
    // PEMs travel through CI secrets with literal `\n`; either spelling may come back.
    if (value.includes('\n')) known.add(value.replace(/\n/g, '\\n'));
    if (value.includes('\\n')) known.add(value.replace(/\\n/g, '\n'));
  }
}

/** For tests: forget what was registered. */
export function clearSecrets(): void {
  known.clear();
}

/** Environment variable names that hold credentials, by the words accord and CI use for them. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_?KEY|API_?KEY|_KEY$|^KEY$|CREDENTIAL)/i;

/** The values of the environment's credential-named variables. */
export function secretsInEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string')
    .map(([, value]) => value as string);
}

const PATTERNS: [RegExp, string][] = [
  // Private keys, whole: header, body and footer, with real or escaped line breaks.
  [
    /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`,
  ],
  // Authorization values: token-shaped only (12+ characters with a digit), so "Basic
  // authentication" in prose survives.
  [/\b(Bearer|SSWS|Basic|OAuth)\s+(?=[\w.~+/=!-]*\d)[\w.~+/=!-]{12,}/gi, `$1 ${REDACTED}`],
  // Salesforce session ids and access tokens: the org id, `!`, then the token.
  [/\b00D[0-9A-Za-z]{12,15}![\w.]{20,}/g, REDACTED],
  // Query and form parameters, where even a bare `token=` is a credential.
  [
    /\b(access_token|refresh_token|id_token|client_secret|client_assertion|assertion|api_token|sessionId|sid|password|token)=[^\s&,;"']+/gi,
    `$1=${REDACTED}`,
  ],
  // Headers and JSON: only unambiguous names, so that prose such as "unexpected token: 'x'" survives.
  [
    /\b(access_token|refresh_token|id_token|client_secret|api_token|sessionId|password|authorization)(["']?\s*:\s*["']?)(?:(?:Bearer|SSWS|Basic|OAuth)\s+)?[^\s&,;"']+/gi,
    `$1$2${REDACTED}`,
  ],
  [/"(token|secret|privateKey|private_key)"\s*:\s*"[^"]*"/gi, `"$1":"${REDACTED}"`],
];

/** Replaces every known secret (with its URL-encoded form) and anything shaped like a credential. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const values = [...new Set([...known, ...secrets.filter((s) => s.length > 0)])].sort(
    (a, b) => b.length - a.length,
  );
  for (const secret of values) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** `redact`, then cut to `max` characters: in that order, so no half secret escapes the patterns. */
export function redactAndCut(text: string, max: number, secrets: readonly string[] = []): string {
  const safe = redact(text, secrets);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}
