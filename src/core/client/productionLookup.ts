import type { SignalsResponse } from '../api/signals';
import type { ProductionFigures } from '../analysis/findings';
import { figuresFromSignal, matchFunctionSignal, ProductionLookupError, type ProductionLookup, type ProductionQuery } from '../analysis/ranking';
import { ReadApiClient, ReadApiError } from './readApiClient';

/** Where and how `HttpProductionLookup` asks. */
export interface HttpLookupOptions {
  /** The receiver's base URL, e.g. `http://127.0.0.1:4318`. */
  server: string;
  window: string;
  environment?: string;
  token?: string;
  /** Per request (default 10 000 ms). */
  timeoutMs?: number;
}

/** Figures read from a receiver's `GET /api/signals?file=…`, one request per file, through the read-API client. */
export class HttpProductionLookup implements ProductionLookup {
  private readonly files = new Map<string, Promise<SignalsResponse>>();
  private readonly client: ReadApiClient;

  constructor(private readonly options: HttpLookupOptions) {
    try {
      this.client = new ReadApiClient({ server: options.server, token: options.token, timeoutMs: options.timeoutMs });
    } catch (err) {
      throw new ProductionLookupError((err as Error).message);
    }
  }

  /** Asks once without a file, so a wrong URL, token or window fails before any scanning. */
  async check(): Promise<void> {
    await this.fetchSignals(null);
  }

  /** Figures of the queried function, or null when the receiver has none for it. */
  async figures(q: ProductionQuery): Promise<ProductionFigures | null> {
    let response = this.files.get(q.file);
    if (!response) {
      response = this.fetchSignals(q.file);
      this.files.set(q.file, response);
    }
    const r = await response;
    const s = matchFunctionSignal(
      r.functions.filter((f) => f.file === q.file),
      q,
    );
    return s ? figuresFromSignal(s, r.window) : null;
  }

  private async fetchSignals(file: string | null): Promise<SignalsResponse> {
    try {
      return await this.client.signals({ window: this.options.window, environment: this.options.environment, ...(file !== null ? { file } : { top: 1 }) });
    } catch (err) {
      if (err instanceof ReadApiError) throw new ProductionLookupError(err.message);
      throw err;
    }
  }
}
