import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { getResponse, type RequestHandler } from 'msw';

/**
 * Serves msw request handlers on a real loopback HTTP server, so the emulators written once as
 * msw handlers also answer `curl`, other processes and clients msw can't intercept.
 */

export interface HttpServeOptions {
  /** 0 (the default) picks a free ephemeral port. */
  port?: number;
  /**
   * The handlers, or a function that builds them from the server's base URL: with port 0 the URL
   * is known only once the server listens, and the emulators bake it into their handlers.
   */
  handlers: RequestHandler[] | ((baseUrl: string) => RequestHandler[]);
}

export interface HttpServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  handlers: RequestHandler[];
  close(): Promise<void>;
}

// Loopback only: the sandbox hands out well-known credentials, so it must not be reachable from
// other hosts.
const HOST = '127.0.0.1';

export async function serveHttp(options: HttpServeOptions): Promise<HttpServer> {
  let handlers: RequestHandler[] = Array.isArray(options.handlers) ? options.handlers : [];
  let baseUrl = '';
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res, handlers, baseUrl).catch((error: unknown) => {
      // A handler bug must not take the sandbox down; answer like a generic server error.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'sandbox_internal_error', message: String(error) }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${HOST}:${port}`;
  if (typeof options.handlers === 'function') handlers = options.handlers(baseUrl);

  return {
    url: baseUrl,
    port,
    get handlers() {
      return handlers;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open until the client lets go.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: RequestHandler[],
  baseUrl: string,
): Promise<void> {
  const request = toFetchRequest(req, res, baseUrl);
  const response = await getResponse(handlers, request);
  if (!response) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: 'not_found',
        message: `The sandbox has no route for ${req.method ?? 'GET'} ${req.url ?? '/'}`,
      }),
    );
    return;
  }
  // Response.error() is how msw spells a network failure (injected resets and timeouts): the
  // client must see the connection drop, not a status code.
  if (response.type === 'error') {
    req.socket.resetAndDestroy();
    return;
  }
  await writeResponse(res, response);
}

function toFetchRequest(req: IncomingMessage, res: ServerResponse, baseUrl: string): Request {
  // The handlers match on the base URL they were built with, whatever Host the client used
  // (localhost, [::ffff:127.0.0.1], ...).
  const url = new URL(req.url ?? '/', baseUrl);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    if (name !== undefined && value !== undefined) headers.append(name, value);
  }
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const method = (req.method ?? 'GET').toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers = new Map<string, string[]>();
  for (const [name, value] of response.headers) {
    // Headers joins repeated values with ', ' (except Set-Cookie, which it yields one by one).
    // Okta sends one Link header per relation and some clients read only the first, so Link is
    // split again; '<' can't occur inside a link target, which makes the split safe.
    const split = name === 'link' ? value.split(/,\s*(?=<)/) : [value];
    const values = headers.get(name);
    if (values) for (const v of split) values.push(v);
    else headers.set(name, split);
  }
  for (const [name, values] of headers) res.setHeader(name, values.length === 1 ? values[0]! : values);
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  if (!response.body || res.req.method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  // Fetch Responses don't carry Content-Length unless the handler set it; a fixed length keeps
  // simple clients (and keep-alive) happy without chunked encoding.
  if (!res.hasHeader('content-length')) res.setHeader('content-length', body.length);
  res.end(body);
}
