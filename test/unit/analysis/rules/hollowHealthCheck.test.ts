import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lines } from './support';

const R = 'hollow-health-check';

describe('hollow-health-check', () => {
  it('JS: flags a probe that only answers, not one that queries a dependency or a non-probe route', async () => {
    const src = [
      "app.get('/healthz', (req, res) => { res.status(200).json({ ok: true, uptime: process.uptime() }); });",
      "app.get('/ready', async (req, res) => { await pool.query('select 1'); res.send('ok'); });",
      "router.get('/livez', (req, res) => res.sendStatus(200));",
      "app.get('/users', (req, res) => { res.json([]); });",
      "app.get('/health', checkHealth);",
      'function checkHealth(req, res) { if (!redis.isReady) return res.sendStatus(503); res.sendStatus(200); }',
      "fastify.get('/readiness', (request, reply) => reply.send({ status: 'ok' }));",
    ].join('\n');
    assert.deepEqual(await lines('src/server.ts', src, R), [1, 3, 7]);
  });

  it('Python: flags FastAPI/Flask probes that return a constant', async () => {
    const src = ['@app.get("/health")', 'def health():', '    return {"status": "ok"}', '@app.route("/readyz")', 'def ready():', '    db.session.execute(text("select 1"))', '    return jsonify(status="ok")', ''].join(
      '\n',
    );
    assert.deepEqual(await lines('app/main.py', src, R), [2]);
  });

  it('Go: flags a HandleFunc probe that only writes a status', async () => {
    const src = [
      'package main',
      'import "net/http"',
      'func main() {',
      '\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })',
      '\thttp.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {',
      '\t\tif err := db.PingContext(r.Context()); err != nil {',
      '\t\t\tw.WriteHeader(503)',
      '\t\t\treturn',
      '\t\t}',
      '\t\tw.WriteHeader(200)',
      '\t})',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('main.go', src, R), [4]);
  });

  it('Java: flags a Spring @GetMapping probe that returns ok without checks', async () => {
    const src = [
      'class H {',
      '  @GetMapping("/health")',
      '  public ResponseEntity<String> health() { return ResponseEntity.ok("ok"); }',
      '  @GetMapping("/ready")',
      '  public ResponseEntity<String> ready() { jdbc.queryForObject("select 1", Integer.class); return ResponseEntity.ok("ok"); }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('H.java', src, R), [3]);
  });
});
