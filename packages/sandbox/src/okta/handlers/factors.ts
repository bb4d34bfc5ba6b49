import type { HttpHandler } from 'msw';
import type { OktaFactorBook, OktaFactorRecord } from '../factors.js';
import { endpoint, param, type OktaEnv } from '../http.js';

export const FACTORS_READ = ['okta.users.read', 'okta.users.manage'] as const;

/** A factor as the API returns it. */
const factorBody = (f: OktaFactorRecord, baseUrl: string) => ({
  id: f.id,
  factorType: f.factorType,
  provider: f.provider,
  vendorName: f.vendorName,
  status: f.status,
  created: f.created,
  lastUpdated: f.lastUpdated,
  profile: {},
  _links: {
    self: {
      href: `${baseUrl}/api/v1/users/${f.userId}/factors/${f.id}`,
      hints: { allow: ['GET', 'DELETE'] },
    },
    user: { href: `${baseUrl}/api/v1/users/${f.userId}`, hints: { allow: ['GET'] } },
  },
});

/** `GET /api/v1/users/{userId}/factors`: one unpaged array, in the user-by-id bucket. */
export function factorHandlers(env: OktaEnv, book: () => OktaFactorBook): HttpHandler[] {
  return [
    endpoint(env, 'get', '/api/v1/users/:userId/factors', 'user', FACTORS_READ, (info) => ({
      status: 200,
      body: book()
        .of(param(info, 'userId'))
        .map((f) => factorBody(f, env.baseUrl)),
    })),
  ];
}
