/**
 * The shadow-run test service (test/fixtures/shadow-service, a small Express API instrumented with the
 * OpenTelemetry Node SDK) in a real git repository: commit `base` holds it as written; `plantRegressions`
 * changes the working tree the way a careless edit would, one regression per kind the shadow run must
 * find (a changed status, a removed and a retyped field, a slower function, an N+1, a new downstream
 * call, a new error), each naming the function and route it must be tied to.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FIXTURE = path.resolve(__dirname, '../fixtures/shadow-service');
const MODULES = path.resolve(__dirname, '../../node_modules');

/** One planted regression: an edit, and where the run must find it. */
export interface PlantedRegression {
  kind: 'status' | 'removed-field' | 'retyped-field' | 'slower' | 'n+1' | 'new-call' | 'new-error';
  file: string;
  from: string;
  to: string;
  route: string;
  /** The function the difference belongs to ('' for a route-level difference). */
  function: string;
}

export const REGRESSIONS: PlantedRegression[] = [
  {
    kind: 'status',
    file: 'server.js',
    from: "app.get('/api/stock/:sku', async (req, res) => res.json(await checkStock(req.params.sku)));",
    to: "app.get('/api/stock/:sku', async (req, res) => {\n  const stock = await checkStock(req.params.sku);\n  res.status(stock.available === 0 ? 404 : 200).json(stock);\n});",
    route: 'GET /api/stock/:sku',
    function: '',
  },
  {
    kind: 'removed-field',
    file: 'profiles.js',
    from: 'return p && { ...p };',
    to: 'return p && { user: p.user, displayName: p.displayName, points: String(p.points) };',
    route: 'GET /api/profile/:user',
    function: 'loadProfile',
  },
  { kind: 'slower', file: 'pricing.js', from: 'await sleep(5 + Math.min(qty, 10));', to: 'await sleep(60 + Math.min(qty, 10) * 4);', route: 'GET /api/quote', function: 'computeQuote' },
  {
    kind: 'n+1',
    file: 'orders.js',
    from: "    const skus = order.lines.map((l) => l.sku).join(',');\n    const prices = await (await fetch(`${pricingUrl}/internal/prices?skus=${skus}`)).json();",
    to: '    const prices = {};\n    for (const l of order.lines) Object.assign(prices, await (await fetch(`${pricingUrl}/internal/prices?skus=${l.sku}`)).json());',
    route: 'GET /api/orders/:id',
    function: 'loadOrder',
  },
  {
    kind: 'new-call',
    file: 'shipping.js',
    from: "async function quoteShipping(weight) {\n  return traced('quoteShipping', async () => {",
    to: "async function quoteShipping(weight, carrierUrl) {\n  return traced('quoteShipping', async () => {\n    await (await fetch(`${carrierUrl}/internal/carrier`)).json();",
    route: 'GET /api/shipping',
    function: 'quoteShipping',
  },
  {
    kind: 'new-error',
    file: 'receipts.js',
    from: 'text: lines.map((l) => `${l.qty} x ${l.sku}`).join',
    to: 'text: lines.map((l) => `${l.qty} x ${l.item.name}`).join',
    route: 'GET /api/orders/:id/receipt',
    function: 'formatReceipt',
  },
];

/** A git repository holding the service at commit `base`, with the repo's node_modules linked in. */
export interface ShadowServiceRepo {
  dir: string;
  base: string;
  /** Applies every regression to the working tree (uncommitted, as a developer's edit). */
  plantRegressions(): void;
  dispose(): void;
}

/** Copies the service into a fresh git repository and commits it as `base`. */
export function createShadowServiceRepo(): ShadowServiceRepo {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rl-shadow-service-'));
  cpSync(FIXTURE, dir, { recursive: true });
  symlinkSync(MODULES, path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'add', '-A');
  git('-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'shop service');
  git('tag', 'base');
  return {
    dir,
    base: git('rev-parse', 'HEAD'),
    plantRegressions() {
      for (const r of REGRESSIONS) {
        const file = path.join(dir, r.file);
        const text = readFileSync(file, 'utf8');
        if (!text.includes(r.from)) throw new Error(`regression ${r.kind}: ${r.file} no longer holds the text it replaces`);
        writeFileSync(file, text.replace(r.from, r.to));
      }
    },
    dispose() {
      execFileSync('git', ['worktree', 'prune'], { cwd: dir, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
