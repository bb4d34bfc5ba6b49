import type { PlatformId } from '../../model/snapshot.js';
import type { ProviderEvents } from '../provider.js';
import type { RetryInfo } from './retry.js';

/**
 * The glue between each provider's retry loop and the run's event sink, so every provider
 * reports waits and requests the same way.
 */

/** An `onRetry` that reports the wait to `events` after calling the provider's own hook. */
export function reportingRetries(
  platform: PlatformId,
  events: ProviderEvents | undefined,
  onRetry?: (info: RetryInfo) => void,
): ((info: RetryInfo) => void) | undefined {
  if (!events) return onRetry;
  return (info) => {
    onRetry?.(info);
    events.waiting({ platform, ...info });
  };
}

/**
 * The path of a request for a log line, with the names of its query parameters but none of their
 * values: those carry SOQL, search filters and paging cursors, and a server may echo a token.
 */
export function requestPath(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url, 'http://invalid') : url;
  } catch {
    return '?';
  }
  const names = [...new Set(parsed.searchParams.keys())];
  return names.length ? `${parsed.pathname}?${names.join('&')}` : parsed.pathname;
}
