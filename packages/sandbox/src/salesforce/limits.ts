import { dataRoute, json, type SfContext } from './handlers/context.js';

/**
 * `GET /limits`. DailyApiRequests is the budget every `/services/data` call draws on (the one
 * `Sforce-Limit-Info` reports); the other entries are fixed, plausible Enterprise Edition values.
 */
export function limitsHandlers(ctx: SfContext) {
  const { store } = ctx;
  const fixed = (max: number) => ({ Max: max, Remaining: max });
  return [
    dataRoute(ctx, 'get', '/limits', () =>
      json(store, {
        DailyApiRequests: {
          Max: store.dailyApiLimit,
          Remaining: Math.max(0, store.dailyApiLimit - store.apiUsed),
        },
        DailyBulkApiBatches: fixed(15000),
        DailyBulkV2QueryJobs: fixed(10000),
        DailyBulkV2QueryFileStorageMB: fixed(976562),
        DailyAsyncApexExecutions: fixed(250000),
        DataStorageMB: { Max: 10240, Remaining: 9800 },
        FileStorageMB: { Max: 20480, Remaining: 20100 },
        HourlyODataCallout: fixed(20000),
        SingleEmail: fixed(5000),
        MassEmail: fixed(5000),
      }),
    ),
  ];
}
