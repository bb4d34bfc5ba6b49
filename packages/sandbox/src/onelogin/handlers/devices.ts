import { HttpResponse, type HttpHandler } from 'msw';
import { route } from '../../instrument.js';
import { api, type OneLoginContext } from '../auth.js';
import { deviceBody } from '../devices.js';
import { notFound } from '../errors.js';
import { pathId } from './common.js';

/**
 * `GET /api/2/mfa/users/:user_id/devices` (UC-17): the user's registered MFA devices, one unpaged
 * bare array (the docs show no paging), 404 for an unknown user. Counted like every v2 call.
 */
export function deviceHandlers(ctx: OneLoginContext): HttpHandler[] {
  const { store, tenant } = ctx;
  return [
    route(
      tenant,
      'get',
      '/api/2/mfa/users/:user_id/devices',
      api(ctx, (info) => {
        const userId = pathId(info, 'user_id');
        if (!store.userRef(userId)) throw notFound(`User for id ${userId} was not found`);
        return HttpResponse.json(store.devices.of(userId).map(deviceBody));
      }),
    ),
  ];
}
