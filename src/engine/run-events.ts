import { AccordError } from '../errors.js';
import { alertSecrets, deliverAlerts, startAlerts, type AlertResult } from '../events/deliver-alerts.js';
import { normalize } from '../events/normalize.js';
import {
  deliverToSalesforce,
  startSalesforceSink,
  type SalesforceSinkResult,
} from '../events/salesforce-sink.js';
import { EventStream, eventsLayout, type Recovery } from '../events/stream.js';
import {
  createEventSources,
  type EventPlatform,
  type EventPosition,
  type EventSource,
  type EventSourceOptions,
} from '../providers/event-sources.js';
import type { ProviderEvents } from '../providers/provider.js';
import { createSalesforceProviders, type SalesforceProviderOptions } from '../providers/salesforce/index.js';
import type { WebhookTiming } from '../providers/webhook/send.js';
import type { Connect } from './environment.js';
import { loadPolicyInputs, type PlanInputs } from './run-plan.js';

/** What `accord events pull` is given. */
export interface EventsPullInputs extends Pick<PlanInputs, 'policies' | 'code' | 'state'> {
  /** The JSON lines sink; by default `events.sinks.jsonl.path`, else beside the state file. */
  out?: string;
  /** Events per request, at most each platform's maximum (Okta 1000, OneLogin 50). */
  pageSize?: number;
}

export interface EventsContext {
  connect: Connect;
  events?: ProviderEvents;
  now?: () => number;
  /** Injected by tests: retry and backoff timing of the sources and the webhooks. */
  sourceOptions?: EventSourceOptions;
  webhookTiming?: WebhookTiming;
  /** Injected by tests: the Salesforce sink's retry timing. */
  salesforceOptions?: Pick<SalesforceProviderOptions, 'retry' | 'transportRetry'>;
}

export interface SourcePull {
  platform: EventPlatform;
  /** Requests made for events (one per page). */
  pages: number;
  /** Events written to the sink. */
  events: number;
  position?: EventPosition;
}

export interface EventsPullReport {
  sink: string;
  cursor: string;
  /** A page that a killed pull left half written, finished before this pull read anything. */
  recovered?: Recovery;
  sources: SourcePull[];
  alerts: AlertResult[];
  /** The Salesforce custom-object sink, when the policy declares one. */
  salesforce?: SalesforceSinkResult;
}

/** Default reach of the first pull, in hours. */
export const DEFAULT_START_HOURS = 24;

/**
 * `accord events pull` (UC-18, UC-19): load → validate → open the cursor (finishing a page a
 * killed run left) → read each source from its position, page by page, normalising each page and
 * writing it to the sink durably before its position moves → run the alerts over what the sink
 * committed. Sources are read at once; an alert's failing webhook never stops the pull.
 */
export async function runEventsPull(
  inputs: EventsPullInputs,
  context: EventsContext,
): Promise<EventsPullReport> {
  const { policy, statePath } = await loadPolicyInputs(inputs);
  const settings = policy.events ?? {};
  const alerts = settings.alerts ?? [];
  const layout = eventsLayout(statePath, inputs.out ?? settings.sinks?.jsonl?.path);
  const environment = await context.connect();
  try {
    // A missing secret is a mistake to fix before anything is read, not a target that is down.
    alertSecrets(alerts, environment.env);
    const sources = createEventSources(
      {
        platforms: policy.platforms,
        env: environment.env,
        ...(context.events ? { events: context.events } : {}),
      },
      settings.sources,
      context.sourceOptions,
    );
    if (sources.length === 0)
      throw new AccordError('events: the policy declares no identity provider to read events from', {
        code: 'events.no-source',
        hint: 'declare platforms.okta or platforms.onelogin (and events.sources, if set, must name one)',
      });
    const stream = await EventStream.open(layout);
    const startBytes = stream.committedBytes;
    await startAlerts(alerts, layout.alerts, startBytes, stream.generation);
    const sfSink = settings.sinks?.salesforce;
    if (sfSink) await startSalesforceSink(sfSink, layout.dir, startBytes, stream.generation);
    const now = context.now?.() ?? Date.now();
    const since = new Date(now - (settings.startHoursAgo ?? DEFAULT_START_HOURS) * 3_600_000).toISOString();
    const pulls = await Promise.all(sources.map((s) => pullSource(s, stream, since, inputs.pageSize)));
    // The org and the webhooks are written to at once; neither waits for the other.
    const toSalesforce = sfSink
      ? deliverToSalesforce({
          sink: sfSink,
          org: salesforceOrg(policy.platforms, sfSink.org, environment.env, context),
          dir: layout.dir,
          jsonl: layout.sink,
          startBytes,
          endBytes: stream.committedBytes,
          generation: stream.generation,
        })
      : undefined;
    const results = deliverAlerts({
      alerts,
      dir: layout.alerts,
      sink: layout.sink,
      startBytes,
      endBytes: stream.committedBytes,
      generation: stream.generation,
      env: environment.env,
      ...(context.webhookTiming ? { timing: context.webhookTiming } : {}),
    });
    // Both settle before the environment closes, even when one throws.
    const [sent, upserted] = await Promise.allSettled([results, toSalesforce]);
    if (sent.status === 'rejected') throw sent.reason;
    if (upserted.status === 'rejected') throw upserted.reason;
    const alertResults = sent.value;
    const salesforce = upserted.value;
    return {
      sink: layout.sink,
      cursor: layout.cursor,
      ...(stream.recovered ? { recovered: stream.recovered } : {}),
      sources: pulls,
      alerts: alertResults,
      ...(salesforce ? { salesforce } : {}),
    };
  } finally {
    await environment.close();
  }
}

/** The org the Salesforce sink writes to (validation made sure the policy declares it). */
function salesforceOrg(
  platforms: Parameters<typeof createSalesforceProviders>[0]['platforms'],
  org: string,
  env: NodeJS.ProcessEnv,
  context: EventsContext,
) {
  return createSalesforceProviders(
    { platforms: { salesforce: { [org]: platforms.salesforce?.[org] ?? {} } }, env },
    { ...context.salesforceOptions, ...(context.events ? { events: context.events } : {}) },
  )[0]!;
}

/** Every page the source has from its position on; each page is durable before the next is read. */
async function pullSource(
  source: EventSource,
  stream: EventStream,
  since: string,
  pageSize: number | undefined,
): Promise<SourcePull> {
  const limit = Math.max(1, Math.min(pageSize ?? source.maxPageSize, source.maxPageSize));
  const pull: SourcePull = { platform: source.platform, pages: 0, events: 0 };
  for (;;) {
    const page = await source.readPage(stream.position(source.platform), { since, limit });
    pull.pages++;
    const events = normalize(source.platform, page.events);
    await stream.deliver(source.platform, events, page.position);
    pull.events += events.length;
    pull.position = page.position;
    if (!page.more) return pull;
  }
}
