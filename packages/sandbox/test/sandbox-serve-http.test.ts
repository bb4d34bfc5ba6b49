import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { DataFilePersister, readDataFile, writeDataFile } from '../src/persist.js';
import { serveHttp, type HttpServer } from '../src/serve-http.js';

describe('serveHttp', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = () =>
    serveHttp({
      port: 0,
      handlers: (base) => [
        http.get(`${base}/multi`, () =>
          HttpResponse.json(
            { ok: true },
            {
              status: 201,
              headers: [
                ['Set-Cookie', 'a=1'],
                ['Set-Cookie', 'b=2'],
                ['Link', `<${base}/multi>; rel="self"`],
                ['Link', `<${base}/multi?after=1>; rel="next"`],
                ['X-Custom', 'x'],
              ],
            },
          ),
        ),
        http.post(`${base}/echo`, async ({ request }) =>
          HttpResponse.json({
            body: await request.text(),
            type: request.headers.get('content-type'),
            url: request.url,
          }),
        ),
        http.delete(`${base}/empty`, () => new HttpResponse(null, { status: 204 })),
        http.get(`${base}/reset`, () => HttpResponse.error()),
      ],
    });

  it('binds to loopback on an ephemeral port and builds handlers with its own URL', async () => {
    server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('writes status, repeated headers and the body back', async () => {
    server = await start();
    const res = await fetch(`${server.url}/multi`);
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('link')).toBe(
      `<${server.url}/multi>; rel="self", <${server.url}/multi?after=1>; rel="next"`,
    );
    // One Link header per relation on the wire, as Okta sends them.
    const raw = await new Promise<string[]>((resolve, reject) => {
      const req = httpRequest(`${server!.url}/multi`, (r) => {
        r.resume();
        resolve(r.rawHeaders.filter((_, i) => r.rawHeaders[i - 1]?.toLowerCase() === 'link' && i % 2 === 1));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw).toEqual([`<${server.url}/multi>; rel="self"`, `<${server.url}/multi?after=1>; rel="next"`]);
    expect(res.headers.get('x-custom')).toBe('x');
    expect(await res.json()).toEqual({ ok: true });
  });

  it('passes request bodies and headers to the handlers, whatever Host the client used', async () => {
    server = await start();
    const res = await fetch(`${server.url}/echo?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(await res.json()).toEqual({ body: 'hello', type: 'text/plain', url: `${server.url}/echo?x=1` });
    const viaOtherHost = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `${server!.url}/echo`,
        { method: 'POST', headers: { host: 'localhost' } },
        (r) => {
          let text = '';
          r.on('data', (chunk: Buffer) => (text += chunk.toString()));
          r.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end('x');
    });
    expect(JSON.parse(viaOtherHost)).toMatchObject({ body: 'x', url: `${server.url}/echo` });
    const empty = await fetch(`${server.url}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
  });

  it('answers unmatched requests with a 404 JSON body', async () => {
    server = await start();
    const res = await fetch(`${server.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('resets the connection for Response.error() and keeps serving', async () => {
    server = await start();
    const url = `${server.url}/reset`;
    const code = await new Promise<string | undefined>((resolve) => {
      const req = httpRequest(url, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
      req.end();
    });
    expect(code).toBe('ECONNRESET');
    await expect(fetch(url)).rejects.toThrow();
    expect((await fetch(`${server.url}/multi`)).status).toBe(201);
  });

  it('closes even with keep-alive connections open', async () => {
    server = await start();
    await (await fetch(`${server.url}/multi`)).text();
    await server.close();
    await expect(fetch(`${server.url}/multi`)).rejects.toThrow();
    server = undefined;
  });
});

describe('data file', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const data = (n: number) => ({
    formatVersion: 1 as const,
    seed: 42,
    people: 300,
    okta: { users: [n] },
    onelogin: { users: [] },
    salesforce: { prod: { users: ['a'] }, emea: { users: ["b'c"] } },
  });

  it('round-trips and writes atomically (no temp files left)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'accord-persist-'));
    const file = join(dir, 'sandbox.json');
    expect(await readDataFile(file)).toBeUndefined();
    await writeDataFile(file, data(1));
    expect(await readDataFile(file)).toEqual(data(1));
    expect(await readdir(dir)).toEqual(['sandbox.json']);
  });

  it('rejects a file of another format with a clear error', async () => {
    dir = await mkdtemp(join(tmpdir(), 'accord-persist-'));
    const file = join(dir, 'sandbox.json');
    await writeFile(file, JSON.stringify({ ...data(1), formatVersion: 2 }));
    await expect(readDataFile(file)).rejects.toThrow(/format version 2, expected 1/);
    await writeFile(file, '{"formatVersion":1,');
    await expect(readDataFile(file)).rejects.toThrow(/not valid JSON/);
  });

  it('debounces saves after writes and flushes on demand', async () => {
    dir = await mkdtemp(join(tmpdir(), 'accord-persist-'));
    const file = join(dir, 'sandbox.json');
    let n = 0;
    const persister = new DataFilePersister(file, () => data(++n), { debounceMs: 50 });
    persister.schedule();
    persister.schedule();
    persister.schedule();
    await new Promise((r) => setTimeout(r, 200));
    expect(n).toBe(1);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(data(1));
    await Promise.all([persister.flush(), persister.flush()]);
    expect(await readDataFile(file)).toEqual(data(3));
  });
});
