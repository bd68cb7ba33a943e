import http from 'node:http';
import { type MailHogPage, toMailHogMessage } from './mailhog-json.js';
import type { SinkMessage } from './message.js';
import { releaseMessage, releaseTargetSchema } from './release.js';
import { type MessageStore, SEARCH_KINDS, type SearchKind } from './store.js';

const DEFAULT_LIMIT = 50;
/** MailHog caps a page at 250 messages. */
const MAX_LIMIT = 250;
const MAX_REQUEST_BODY = 64 * 1024;

type Reply = { status: number; json?: unknown; raw?: string };
type Route = (store: MessageStore, url: URL, request: http.IncomingMessage) => Reply | Promise<Reply>;

/** MailHog's HTTP API (the part its clients use) over the store. */
export function createMailHogApi(store: MessageStore): http.Server {
  return http.createServer((request, response) => {
    answer(store, request)
      .catch((error: unknown) => ({ status: 500, json: { error: errorText(error) } }))
      .then((reply) => send(response, reply));
  });
}

async function answer(store: MessageStore, request: http.IncomingMessage): Promise<Reply> {
  const url = new URL(request.url ?? '/', 'http://mail-sink');
  const route = findRoute(request.method ?? 'GET', url.pathname);
  return route ? route(store, url, request) : { status: 404, json: { error: `no route ${request.method} ${url.pathname}` } };
}

type MessageAction = (message: SinkMessage, store: MessageStore, request: http.IncomingMessage) => Reply | Promise<Reply>;

const ROUTES: Record<string, Route> = {
  'GET /api/v2/messages': (store, url) => page(store.all(), url),
  'GET /api/v2/search': search,
  'GET /api/v1/messages': (store) => ({ status: 200, json: store.all().toReversed().map(toMailHogMessage) }),
  'DELETE /api/v1/messages': (store) => {
    store.clear();
    return { status: 200 };
  },
};

const MESSAGE_ACTIONS: Record<string, MessageAction> = {
  'GET ': (message) => ({ status: 200, json: toMailHogMessage(message) }),
  'DELETE ': (message, store) => {
    store.delete(message.id);
    return { status: 200 };
  },
  'GET /download': (message) => ({ status: 200, raw: message.raw }),
  'POST /release': release,
};

function findRoute(method: string, path: string): Route | undefined {
  const byId = /^\/api\/v1\/messages\/([^/]+)(\/download|\/release)?$/.exec(path);
  if (!byId) return ROUTES[`${method} ${path}`];
  const action = MESSAGE_ACTIONS[`${method} ${byId[2] ?? ''}`];
  const id = decodeURIComponent(byId[1] ?? '');
  return (
    action &&
    ((store, _url, request) => {
      const message = store.get(id);
      return message ? action(message, store, request) : { status: 404, json: { error: `no message ${id}` } };
    })
  );
}

function search(store: MessageStore, url: URL): Reply {
  const kind = url.searchParams.get('kind') ?? 'containing';
  const query = url.searchParams.get('query') ?? '';
  if (!isSearchKind(kind)) return { status: 400, json: { error: `kind must be one of ${SEARCH_KINDS.join(', ')}` } };
  if (!query) return { status: 400, json: { error: 'query is required' } };
  return page(store.search(kind, query), url);
}

function isSearchKind(kind: string): kind is SearchKind {
  return (SEARCH_KINDS as readonly string[]).includes(kind);
}

/** Newest first, `start` and `limit` read as MailHog does: anything not a positive integer is the default. */
function page(messages: readonly SinkMessage[], url: URL): Reply {
  const start = positiveInteger(url.searchParams.get('start')) ?? 0;
  const limit = Math.min(positiveInteger(url.searchParams.get('limit')) ?? DEFAULT_LIMIT, MAX_LIMIT);
  const items = messages
    .toReversed()
    .slice(start, start + limit)
    .map(toMailHogMessage);
  const body: MailHogPage = { total: messages.length, count: items.length, start, items };
  return { status: 200, json: body };
}

function positiveInteger(text: string | null): number | undefined {
  const value = Number(text);
  return text && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

async function release(message: SinkMessage, _store: MessageStore, request: http.IncomingMessage): Promise<Reply> {
  const target = releaseTargetSchema.safeParse(parseJson(await readBody(request)));
  if (!target.success) return { status: 400, json: { error: 'body must be {"host","port","email"}' } };
  try {
    await releaseMessage(message, target.data);
    return { status: 200 };
  } catch (error) {
    return { status: 502, json: { error: errorText(error) } };
  }
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Success answers of MailHog's v1 API have an empty body: its client then resolves with the response itself. */
function send(response: http.ServerResponse, reply: Reply): void {
  if (reply.raw !== undefined) {
    response.writeHead(reply.status, { 'Content-Type': 'message/rfc822' }).end(reply.raw);
  } else if (reply.json !== undefined) {
    response.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.json));
  } else {
    response.writeHead(reply.status).end();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
