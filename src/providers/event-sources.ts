import type { EventPlatform, EventSource } from './event-source.js';
import { readOktaConnection } from './okta/connection.js';
import { OktaEventSource } from './okta/events.js';
import { OktaSession, type OktaSessionOptions } from './okta/okta-session.js';
import { connectionVariables, OneLoginClient, type ClientTiming } from './onelogin/client.js';
import { OneLoginEventSource } from './onelogin/events.js';
import type { ProviderConfig } from './provider.js';

export type { EventPage, EventPlatform, EventPosition, EventSource } from './event-source.js';

export interface EventSourceOptions {
  okta?: OktaSessionOptions;
  onelogin?: ClientTiming;
}

/**
 * The event sources of the platforms asked for (by default every identity provider the policy
 * declares); each connects with the variables of its `platforms` entry, like its provider.
 */
export function createEventSources(
  { platforms, env, events }: ProviderConfig,
  wanted?: readonly EventPlatform[],
  options: EventSourceOptions = {},
): EventSource[] {
  const want = (p: EventPlatform) => platforms[p] !== undefined && (!wanted || wanted.includes(p));
  const sources: EventSource[] = [];
  if (want('okta'))
    sources.push(
      new OktaEventSource(
        new OktaSession(readOktaConnection(platforms.okta!.connection, env), {
          ...options.okta,
          ...(events && { events }),
        }),
      ),
    );
  if (want('onelogin'))
    sources.push(
      new OneLoginEventSource(
        OneLoginClient.fromEnv(
          connectionVariables(platforms.onelogin!.connection),
          env,
          options.onelogin,
          events,
        ),
      ),
    );
  return sources;
}
