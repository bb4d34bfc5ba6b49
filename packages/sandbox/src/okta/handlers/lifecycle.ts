import type { HttpHandler } from 'msw';
import { endpoint, flag, param, type OktaEnv, type Reply } from '../http.js';
import { oktaToken } from '../ids.js';
import type { LifecycleOperation } from '../store.js';
import { USERS_MANAGE } from './users.js';

const OPERATIONS: LifecycleOperation[] = [
  'activate',
  'deactivate',
  'suspend',
  'unsuspend',
  'reactivate',
  'unlock',
];

/**
 * `POST /api/v1/users/:userId/lifecycle/<op>`, one route per operation so the request log counts
 * them apart. Most answer an empty 200; activate and reactivate answer an activation token when
 * `sendEmail=false` (and `{}` when Okta sends the email itself).
 */
export function lifecycleHandlers(env: OktaEnv): HttpHandler[] {
  let tokens = 0;
  // `DELETE /api/v1/users/:userId/sessions` (revokeUserSessions): 204, also with `oauthTokens`.
  const sessions = endpoint(
    env,
    'delete',
    '/api/v1/users/:userId/sessions',
    'lifecycle',
    USERS_MANAGE,
    (info): Reply => {
      env.store.revokeSessions(param(info, 'userId'));
      return { status: 204 };
    },
  );
  return [
    sessions,
    ...OPERATIONS.map((op) =>
      endpoint(
        env,
        'post',
        `/api/v1/users/:userId/lifecycle/${op}`,
        'lifecycle',
        USERS_MANAGE,
        (info): Reply => {
          env.store.transition(param(info, 'userId'), op);
          const { url } = info;
          if (op !== 'activate' && op !== 'reactivate') return { status: 200 };
          if (flag(url, 'sendEmail', true)) return { status: 200, body: {} };
          const activationToken = oktaToken(0xac71, ++tokens, 20);
          return {
            status: 200,
            body: { activationToken, activationUrl: `${env.baseUrl}/tokens/${activationToken}/verify` },
          };
        },
      ),
    ),
  ];
}
