import type * as http from 'node:http';
import type { SignalStore } from '../signals/signalStore';
import { parseWindow } from '../signals/windows';
import type { SignalsResponse, StatusResponse } from './signals';

/** What the read API serves from. */
export interface ReadApiSources {
  store: SignalStore;
  status: () => StatusResponse;
  defaultWindow: string;
}

/** Answers a signals query the way `GET /api/signals` does, for in-process callers too. */
export async function querySignals(sources: ReadApiSources, params: URLSearchParams): Promise<SignalsResponse> {
  const window = params.get('window') ?? sources.defaultWindow;
  const windowMs = parseWindow(window);
  return sources.store.query({
    windowMs,
    environment: params.get('environment') ?? undefined,
    file: params.get('file') ?? undefined,
    perMinute: params.get('perMinute') === '1' || params.get('perMinute') === 'true',
  });
}

/** The read API: `GET /api/signals` and `GET /api/status`. Returns false for other paths. */
export function readApiHandler(sources: ReadApiSources) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/api/signals' && url.pathname !== '/api/status') return false;
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: `${url.pathname} takes GET` });
      return true;
    }
    if (url.pathname === '/api/status') {
      sendJson(res, 200, sources.status());
      return true;
    }
    let body: SignalsResponse;
    try {
      body = await querySignals(sources, url.searchParams);
    } catch (err) {
      sendJson(res, 400, { error: (err as Error).message });
      return true;
    }
    sendJson(res, 200, body);
    return true;
  };
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
}
