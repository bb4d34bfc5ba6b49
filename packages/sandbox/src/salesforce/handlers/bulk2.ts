import { HttpResponse } from 'msw';
import { parseCsv, writeCsv } from '../csv.js';
import { RecordError, RequestError } from '../errors.js';
import { makeId } from '../ids.js';
import { createRecord, deleteRecord, objectOrThrow, updateRecord } from '../operations.js';
import { canonicalField } from '../schema.js';
import { sfDateTime } from '../store.js';
import { csv, dataRoute, isObject, json, limitInfo, noContent, readJson, type SfContext } from './context.js';

/**
 * Bulk API 2.0 ingest, enough for jsforce's `bulk2.loadAndWaitForResults`: a job is opened, one
 * CSV upload is accepted, and closing it (UploadComplete) processes every row at once, so the
 * first poll already sees JobComplete. Rows go through the same per-record rules as REST.
 */

type Operation = 'insert' | 'update' | 'delete' | 'hardDelete';
const OPERATIONS = new Set<string>(['insert', 'update', 'delete', 'hardDelete']);

interface Job {
  id: string;
  object: string;
  operation: Operation;
  state: 'Open' | 'UploadComplete' | 'JobComplete' | 'Failed' | 'Aborted';
  createdDate: string;
  apiVersion: number;
  data?: string;
  errorMessage?: string;
  header: string[];
  successful: string[][];
  failed: string[][];
  processed: number;
}

function info(job: Job, createdById: string) {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    jobType: 'V2Ingest',
    numberRecordsProcessed: job.processed,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

export function bulk2Handlers(ctx: SfContext) {
  const { store } = ctx;
  const jobs = new Map<string, Job>();
  let jobNo = 0;
  const adminId = () => store.user(store.adminUsername)?.Id ?? '';

  const jobOf = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw new RequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  };

  const process = (job: Job) => {
    const [header = [], ...rows] = parseCsv(job.data ?? '');
    job.header = header;
    const idColumn = header.findIndex((h) => h.toLowerCase() === 'id');
    const object = objectOrThrow(job.object);
    const unknown = header.find((h) => !canonicalField(object, h));
    if (unknown) {
      job.state = 'Failed';
      job.errorMessage = `InvalidBatch : Field name not found : ${unknown}`;
      return;
    }
    try {
      for (const row of rows) {
        const record: Record<string, unknown> = {};
        header.forEach((h, i) => {
          if (i !== idColumn) record[h] = row[i] ?? '';
        });
        const givenId = idColumn >= 0 ? (row[idColumn] ?? '') : '';
        try {
          let id: string;
          if (job.operation === 'insert') id = createRecord(store, job.object, record, { fromCsv: true });
          else if (!givenId)
            throw new RecordError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
          else if (job.operation === 'update')
            id = updateRecord(store, job.object, givenId, record, { fromCsv: true });
          else id = deleteRecord(store, givenId, job.object);
          job.successful.push([id, String(job.operation === 'insert'), ...row]);
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          job.failed.push([givenId, `${e.statusCode}:${e.message}:${e.fields.join(',')} --`, ...row]);
        }
        job.processed++;
      }
      job.state = 'JobComplete';
    } catch (e) {
      // A bad column fails the whole job, as Salesforce does (InvalidBatch).
      job.state = 'Failed';
      job.errorMessage = `InvalidBatch : ${(e as Error).message}`;
    }
  };

  return [
    dataRoute(ctx, 'post', '/jobs/ingest', async (req) => {
      const body = await readJson(req.request);
      if (!isObject(body) || typeof body.object !== 'string' || typeof body.operation !== 'string')
        throw new RequestError(400, 'INVALIDJOB', 'object and operation are required');
      if (!OPERATIONS.has(body.operation))
        throw new RequestError(
          400,
          'INVALIDJOB',
          `InvalidJob : Operation not supported by the sandbox: ${body.operation}`,
        );
      const object = objectOrThrow(body.object);
      const job: Job = {
        id: makeId('750', store.pod, ++jobNo),
        object: object.name,
        operation: body.operation as Operation,
        state: 'Open',
        createdDate: sfDateTime(store.now()),
        apiVersion: Number(req.version),
        header: [],
        successful: [],
        failed: [],
        processed: 0,
      };
      jobs.set(job.id, job);
      return json(store, info(job, adminId()));
    }),
    dataRoute(ctx, 'get', '/jobs/ingest', () =>
      json(store, {
        done: true,
        records: [...jobs.values()].map((j) => info(j, adminId())),
        nextRecordsUrl: null,
      }),
    ),
    dataRoute(ctx, 'put', '/jobs/ingest/:jobId/batches', async (req) => {
      const job = jobOf(req.param('jobId'));
      if (job.state !== 'Open' || job.data !== undefined)
        throw new RequestError(
          409,
          'INVALIDJOBSTATE',
          'Job is not open for uploads, or its data was already uploaded',
        );
      job.data = await req.request.text();
      return new HttpResponse(null, { status: 201, headers: { 'Sforce-Limit-Info': limitInfo(store) } });
    }),
    dataRoute(ctx, 'patch', '/jobs/ingest/:jobId', async (req) => {
      const job = jobOf(req.param('jobId'));
      const body = await readJson(req.request);
      const state = isObject(body) ? body.state : undefined;
      if (state === 'Aborted' && job.state === 'Open') job.state = 'Aborted';
      else if (state === 'UploadComplete' && job.state === 'Open') job.state = 'UploadComplete';
      else
        throw new RequestError(
          400,
          'INVALIDJOBSTATE',
          `Can't change the state of a ${job.state} job to ${String(state)}`,
        );
      const answer = json(store, info(job, adminId()));
      if (job.state === 'UploadComplete') process(job);
      return answer;
    }),
    dataRoute(ctx, 'get', '/jobs/ingest/:jobId', (req) =>
      json(store, info(jobOf(req.param('jobId')), adminId())),
    ),
    dataRoute(ctx, 'delete', '/jobs/ingest/:jobId', (req) => {
      const job = jobOf(req.param('jobId'));
      jobs.delete(job.id);
      return noContent(store);
    }),
    dataRoute(ctx, 'get', '/jobs/ingest/:jobId/successfulResults', (req) => {
      const job = jobOf(req.param('jobId'));
      return csv(store, writeCsv(['sf__Id', 'sf__Created', ...job.header], job.successful));
    }),
    dataRoute(ctx, 'get', '/jobs/ingest/:jobId/failedResults', (req) => {
      const job = jobOf(req.param('jobId'));
      return csv(store, writeCsv(['sf__Id', 'sf__Error', ...job.header], job.failed));
    }),
    dataRoute(ctx, 'get', '/jobs/ingest/:jobId/unprocessedrecords', (req) => {
      const job = jobOf(req.param('jobId'));
      const unprocessed =
        job.state === 'JobComplete' || job.state === 'Failed' ? [] : parseCsv(job.data ?? '').slice(1);
      return csv(
        store,
        writeCsv(job.header.length ? job.header : (parseCsv(job.data ?? '')[0] ?? []), unprocessed),
      );
    }),
  ];
}
