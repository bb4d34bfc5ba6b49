import type { RouteInfo } from '../../instrument.js';
import { badRequest, notFound } from '../errors.js';

/** A numeric path id; anything else is a resource that can't exist (404, as the API answers). */
export function pathId(info: RouteInfo, name = 'id'): number {
  const raw = info.params[name];
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw notFound();
  return Number(raw);
}

export function parseDate(value: string, name: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badRequest(`${name} must be an ISO 8601 date`);
  return t;
}
