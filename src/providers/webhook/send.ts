import { createHmac } from 'node:crypto';
import got from 'got';
import { AccordError } from '../../errors.js';
import { redact } from '../../model/redact.js';
import { requireSecureUrl } from '../http/secure-url.js';
import { throttleDecision } from '../http/retry-after.js';
import {
  isNetworkError,
  networkErrorCode,
  realSleep,
  withRetry,
  type RetryDecision,
  type RetryInfo,
} from '../http/retry.js';

/**
 * Webhook deliveries for alerts (UC-19): one JSON POST per delivery, signed with HMAC-SHA256 over
 * the exact bytes sent (`X-Accord-Signature: sha256=<hex>`), retried through the shared retry loop
 * on 429, 5xx and network failures with exponential backoff (a `Retry-After` wins). Any other
 * answer is final. A receiver dedupes on `X-Accord-Delivery`: a delivery whose answer was lost to
 * a crash is sent again by the next pull, with the same id and body.
 */

export const SIGNATURE_HEADER = 'x-accord-signature';
export const DELIVERY_HEADER = 'x-accord-delivery';
export const ALERT_HEADER = 'x-accord-alert';

/** `sha256=<hex>` of the body under the secret: what a receiver recomputes to verify. */
export const signature = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

export interface WebhookRequest {
  url: string;
  /** The serialised JSON, signed and sent byte for byte. */
  body: string;
  secret: string;
  alert: string;
  deliveryId: string;
}

export interface WebhookTiming {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
}

/** A delivery that failed every attempt: the alert keeps it in its backlog. */
export class WebhookFailed extends Error {
  constructor(
    readonly alert: string,
    readonly detail: string,
  ) {
    super(`alert ${alert}: webhook delivery failed: ${detail}`);
    this.name = 'WebhookFailed';
  }
}

class WebhookStatus extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
  ) {
    super(`HTTP ${status}`);
  }
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function classify(error: unknown): RetryDecision {
  if (error instanceof WebhookStatus) {
    if (error.status === 429 || error.status === 503)
      return throttleDecision({
        reason: `${error.status === 429 ? 'throttled' : 'unavailable'} (${error.status})`,
        error,
        retryAfter: first(error.headers['retry-after']),
        date: first(error.headers.date),
        now: Date.now(),
      });
    if (error.status >= 500) return { retry: true, reason: `${error.status} server error` };
    return { retry: false };
  }
  if (isNetworkError(error)) return { retry: true, reason: networkErrorCode(error) ?? 'network error' };
  return { retry: false };
}

/** Checks a target's URL once, before any delivery: https, or http to this machine only. */
export function checkWebhookUrl(alert: string, url: string): URL {
  return requireSecureUrl(`alert ${alert}`, 'webhook.url', url);
}

/** Sends one delivery; resolves on a 2xx, throws WebhookFailed when every attempt failed. */
export async function sendWebhook(request: WebhookRequest, timing: WebhookTiming = {}): Promise<void> {
  const url = checkWebhookUrl(request.alert, request.url);
  if (!request.secret)
    throw new AccordError(`alert ${request.alert}: the webhook secret is empty`, {
      code: 'events.webhook-secret',
    });
  const headers = {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signature(request.secret, request.body),
    [DELIVERY_HEADER]: request.deliveryId,
    [ALERT_HEADER]: request.alert,
    'user-agent': 'accord-events',
  };
  try {
    await withRetry(
      async () => {
        const res = await got.post(url, {
          body: request.body,
          headers,
          throwHttpErrors: false,
          retry: { limit: 0 },
          timeout: { request: 15_000 },
          followRedirect: false,
        });
        if (res.statusCode < 200 || res.statusCode >= 300)
          throw new WebhookStatus(res.statusCode, res.headers);
      },
      classify,
      {
        platform: `alert ${request.alert}`,
        maxAttempts: timing.maxAttempts ?? 5,
        baseDelayMs: timing.baseDelayMs ?? 500,
        maxDelayMs: timing.maxDelayMs ?? 30_000,
        sleep: timing.sleep ?? realSleep,
        ...(timing.onRetry ? { onRetry: timing.onRetry } : {}),
      },
    );
  } catch (error) {
    if (error instanceof AccordError) throw error;
    const detail =
      error instanceof WebhookStatus
        ? error.message
        : (networkErrorCode(error) ?? (error instanceof Error ? error.message : String(error)));
    throw new WebhookFailed(request.alert, redact(detail));
  }
}
