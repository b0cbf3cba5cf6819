import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.ts';
import { openStore, type StoreDb } from '../store/open-store.ts';
import { listRuns } from '../store/queries.ts';
import { isLoopback, newToken, requestToken, tokenMatches } from './access-token.ts';
import type { ControlAction, FeedFrame, SeriesPoint, TimelineEntry } from './feed-frame.ts';
import { StoreFeed } from './store-feed.ts';

/** One message per run per this many ms on its stream, at most. */
export const FRAME_MS = 250;
/** Series points and timeline entries a newly connected page is sent (the rest of the run is summarised by its counters). */
const HISTORY = 240;
const TIMELINE_HISTORY = 300;
/** A control request's body, at most. */
const BODY_LIMIT = 16 * 1024;

/** A run the server shows: a live one (frames from its feed, control actions) or one read from the store. */
export interface DashboardRun {
  readonly id: string;
  readonly label: string;
  frame(at: number): FeedFrame;
  /** Applies a control action: a sentence for the page, or a thrown error saying why it was refused. */
  control?(action: ControlAction): Promise<string>;
}

/** Options of a dashboard server. */
export interface DashboardServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Required on every request (and always required off loopback: one is generated when not given). */
  readonly token?: string;
  /** The run store whose runs the page can select (absent: live runs only). */
  readonly store?: string;
  /** Ms between two frames of a run (default {@link FRAME_MS}). */
  readonly frameMs?: number;
}

interface Channel {
  readonly run: DashboardRun;
  readonly clients: Set<ServerResponse>;
  series: SeriesPoint[];
  timeline: TimelineEntry[];
  last: FeedFrame | undefined;
  /** Store runs are dropped when their last page goes; live runs stay until removed. */
  readonly live: boolean;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * What the server serves: the page's files from ./static, and the graph layout's library
 * (d3-force and the three d3 modules it needs, their UMD builds) from the installed packages.
 */
const STATIC: Readonly<Record<string, { file: string; type: string; pkg?: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/d3-dispatch.js': { file: 'd3-dispatch.min.js', type: JS, pkg: 'd3-dispatch' },
  '/d3-quadtree.js': { file: 'd3-quadtree.min.js', type: JS, pkg: 'd3-quadtree' },
  '/d3-timer.js': { file: 'd3-timer.min.js', type: JS, pkg: 'd3-timer' },
  '/d3-force.js': { file: 'd3-force.min.js', type: JS, pkg: 'd3-force' },
  '/graph-layout.js': { file: 'graph-layout.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * A file of an installed package: d3-force beside this module, its own dependencies beside it
 * (where npm put them: hoisted or nested). Each package's main entry is in its dist/ folder, with
 * the UMD builds the page loads.
 */
function packageFile(pkg: string, file: string): URL {
  const force = createRequire(import.meta.url).resolve('d3-force');
  const entry = pkg === 'd3-force' ? force : createRequire(force).resolve(pkg);
  return pathToFileURL(join(dirname(entry), file));
}

/** How long `endStreams` waits for the pages' responses to finish. */
const END_STREAMS_MS = 1_000;

/**
 * The dashboard's HTTP server (node:http, no framework): the page and its scripts from the
 * package (no CDN), `GET /api/runs` (live runs and the store's), `GET /api/runs/ID/events` (a
 * server-sent event stream: one frame per ~250 ms, the first one carrying the history so far) and
 * `POST /api/runs/ID/control` (a {@link ControlAction} as JSON). With a token, every request
 * must carry it (`Authorization: Bearer T` or `?token=T`); 401 otherwise.
 *
 * @example
 * ```ts
 * const server = new DashboardServer({ port: 3002, store: '.conclave/conclave.db' });
 * const { url } = await server.start();
 * server.addRun(liveRun);
 * ```
 */
export class DashboardServer {
  readonly token: string | undefined;
  /** True when the token was generated here (the caller prints it). */
  readonly generatedToken: boolean;
  private readonly channels = new Map<string, Channel>();
  private readonly http: Server;
  private timer: NodeJS.Timeout | undefined;
  private db: StoreDb | undefined;
  private readonly host: string;

  constructor(private readonly options: DashboardServerOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    const port = options.port ?? 3002;
    if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) throw new ConfigError('--port', 'an integer from 0 (any free port) to 65,535', port);
    if (options.token !== undefined && !/^[A-Za-z0-9._~-]{16,256}$/.test(options.token)) {
      throw new ConfigError(
        '--token',
        '16 to 256 characters from A-Z a-z 0-9 . _ ~ - (it travels in URLs)',
        options.token.length < 16 ? `${options.token.length} characters` : 'other characters',
      );
    }
    this.generatedToken = options.token === undefined && !isLoopback(this.host);
    this.token = options.token ?? (this.generatedToken ? newToken() : undefined);
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => send(res, 500, { error: (e as Error).message }));
    });
  }

  /** Listens; resolves with the page's URL (with the token in it when one is required). */
  async start(): Promise<{ url: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new ConfigError('--port', 'a free port (another program listens on it; pick another with --port, or 0 for any)', this.options.port ?? 3002)
            : e,
        ),
      );
      this.http.listen(this.options.port ?? 3002, this.host, () => resolve());
    });
    const port = (this.http.address() as AddressInfo).port;
    this.timer = setInterval(() => this.tick(), this.options.frameMs ?? FRAME_MS);
    this.timer.unref();
    const shown = this.host.includes(':') ? `[${this.host}]` : this.host;
    return { url: `http://${shown}:${port}/${this.token ? `?token=${this.token}` : ''}`, port };
  }

  /** Serves a live run (selected by the page by default: the newest live run). */
  addRun(run: DashboardRun): void {
    this.channels.set(run.id, { run, clients: new Set(), series: [], timeline: [], last: undefined, live: true });
  }

  /** Sends every page the run's latest frame now (its last, when it has ended). */
  flush(id: string): void {
    const c = this.channels.get(id);
    if (c) this.push(c, Date.now());
  }

  /**
   * Ends every page's stream cleanly (the last chunk written, the response finished), for a
   * server about to be stopped with its thread: a stream cut mid-chunk is a network error in the
   * page (ERR_INCOMPLETE_CHUNKED_ENCODING), where a finished one is an ordinary end.
   */
  async endStreams(): Promise<void> {
    const ending: Promise<void>[] = [];
    for (const c of this.channels.values())
      for (const res of c.clients) ending.push(new Promise<void>((resolve) => (res.writableFinished ? resolve() : res.end(resolve))));
    // A page whose socket died mid-write may never see its response finish: the end is not
    // waited for past a second, and the thread is stopped regardless.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(ending), new Promise<void>((resolve) => (timer = setTimeout(resolve, END_STREAMS_MS)))]);
    clearTimeout(timer);
  }

  /** Stops the streams and the server. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.channels.values()) for (const res of c.clients) res.end();
    this.channels.clear();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    this.db?.close();
  }

  private tick(): void {
    const at = Date.now();
    for (const c of this.channels.values()) if (c.live || c.clients.size > 0) this.push(c, at);
  }

  /** Takes one frame of the run, keeps its history and sends it to every page watching it. */
  private push(c: Channel, at: number): void {
    let frame: FeedFrame;
    try {
      frame = c.run.frame(at);
    } catch (e) {
      for (const res of c.clients) res.write(`event: failure\ndata: ${JSON.stringify({ error: (e as Error).message })}\n\n`);
      return;
    }
    c.last = frame;
    c.series = [...c.series, ...frame.series].slice(-HISTORY);
    c.timeline = [...c.timeline, ...frame.timeline].slice(-TIMELINE_HISTORY);
    if (c.clients.size === 0) return;
    const data = `data: ${JSON.stringify(frame)}\n\n`;
    for (const res of c.clients) res.write(data);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (this.token !== undefined && !tokenMatches(this.token, requestToken(req, url))) {
      return send(res, 401, { error: 'this dashboard needs its token: open the URL it printed (…/?token=…), or send Authorization: Bearer <token>' });
    }
    const file = STATIC[url.pathname];
    if (file && req.method === 'GET') {
      // Read before the head goes out: a page missing from the package is a 500 that says so, not an empty 200.
      let body: Buffer;
      try {
        body = readFileSync(file.pkg ? packageFile(file.pkg, file.file) : new URL(`./static/${file.file}`, import.meta.url));
      } catch (e) {
        return send(res, 500, { error: `the dashboard's ${file.file} is missing from this installation (${(e as Error).message})` });
      }
      res.writeHead(200, {
        'Content-Type': file.type,
        'Cache-Control': 'no-store',
        'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:",
      });
      // The page's own scripts and style need the token too: the page (already let in) names it in their URLs.
      res.end(file.file === 'index.html' && this.token ? String(body).replace(/(src|href)="([a-z0-9-]+\.(?:js|css))"/g, `$1="$2?token=${this.token}"`) : body);
      return;
    }
    if (url.pathname === '/api/runs' && req.method === 'GET') return send(res, 200, { runs: this.runList() });
    const m = /^\/api\/runs\/([^/]+)\/(events|control)$/.exec(url.pathname);
    if (!m) return send(res, 404, { error: `no such page: ${url.pathname} (the dashboard serves /, /api/runs, /api/runs/ID/events, /api/runs/ID/control)` });
    const id = decodeURIComponent(m[1]);
    if (m[2] === 'events' && req.method === 'GET') return this.stream(id, req, res);
    if (m[2] === 'control' && req.method === 'POST') return this.control(id, req, res);
    return send(res, 405, { error: `${req.method} is not taken on ${url.pathname} (events: GET; control: POST)` });
  }

  private runList(): { id: string; label: string; live: boolean; status?: string }[] {
    const live = [...this.channels.values()]
      .filter((c) => c.live)
      .reverse()
      .map((c) => ({ id: c.run.id, label: c.run.label, live: true, status: c.last?.status ?? 'running' }));
    const db = this.storeDb();
    const stored = db
      ? listRuns(db, { limit: 50 })
          .filter((r) => r.kind === 'run' || r.kind === 'replay')
          .filter((r) => !this.channels.get(r.id)?.live)
      : [];
    return [...live, ...stored.map((r) => ({ id: r.id, label: `${r.id} · ${r.name} · ${r.protocol}`, live: false, status: r.status }))];
  }

  private storeDb(): StoreDb | undefined {
    if (this.options.store === undefined) return undefined;
    try {
      this.db ??= openStore(this.options.store, { readonly: true });
    } catch {
      return undefined; // no store yet: live runs only
    }
    return this.db;
  }

  private stream(id: string, req: IncomingMessage, res: ServerResponse): void {
    let c = this.channels.get(id);
    if (!c) {
      const db = this.storeDb();
      const known = db?.prepare('SELECT 1 FROM runs WHERE id = ?').get(id);
      if (!db || !known) return send(res, 404, { error: `no run ${id} (GET /api/runs lists them)` });
      const feed = new StoreFeed(db, id);
      c = { run: { id, label: id, frame: (at) => feed.frame(at) }, clients: new Set(), series: [], timeline: [], last: undefined, live: false };
      this.channels.set(id, c);
      this.push(c, Date.now());
    }
    const channel = c;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // The first message carries the history so far, so a page opened mid-run draws its series whole.
    if (channel.last) res.write(`data: ${JSON.stringify({ ...channel.last, series: channel.series, timeline: channel.timeline })}\n\n`);
    channel.clients.add(res);
    req.on('close', () => {
      channel.clients.delete(res);
      if (!channel.live && channel.clients.size === 0) this.channels.delete(id);
    });
  }

  private async control(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const c = this.channels.get(id);
    if (!c?.live || !c.run.control)
      return send(res, 409, { error: `run ${id} is not served live by this dashboard: control actions are for a run started with conclave run --dashboard` });
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > BODY_LIMIT) return send(res, 413, { error: `a control request is at most ${BODY_LIMIT} bytes` });
    }
    let action: ControlAction;
    try {
      action = JSON.parse(body) as ControlAction;
    } catch {
      return send(res, 400, { error: 'the body must be a JSON control action, e.g. {"action":"crash","member":"n2"}' });
    }
    try {
      const text = await c.run.control(action);
      send(res, 200, { ok: true, text });
    } catch (e) {
      send(res, 400, { error: (e as Error).message });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
