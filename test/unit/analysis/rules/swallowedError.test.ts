import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFile } from '../../../../src/core/analysis/analyze';
import { fixAt, lines } from './support';

const R = 'swallowed-error';

describe('swallowed-error', () => {
  it('JS/TS: flags empty, TODO-only and fallback catches and promise .catch(() => null)', async () => {
    const src = [
      'export async function f() {',
      '  try { await a(); } catch (e) { }',
      '  try { await a(); } catch {',
      '    // TODO handle',
      '  }',
      '  try { return await a(); } catch (e) { return null; }',
      '  p.catch(() => null);',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/a.ts', src, R), [2, 3, 6, 7]);
    const fixed = await fixAt('src/a.ts', src, R, 6);
    assert.match(fixed, /catch \(e\) \{ console\.error\(e\);\n {2}return null; \}/);
    assert.deepEqual(await lines('src/a.ts', fixed, R), [2, 3, 8]); // the fix added a line above
  });

  it('JS/TS: a catch that rethrows, logs (pino/winston/console/this.logger), uses or passes on the error is fine', async () => {
    const src = [
      'export async function f(next) {',
      "  try { await a(); } catch (e) { throw new Error('wrapped', { cause: e }); }",
      "  try { await a(); } catch (err) { logger.warn({ err }, 'a failed'); }",
      "  try { await a(); } catch { this.logger.error('a failed'); }",
      "  try { await a(); } catch { console.warn('a failed'); }",
      '  try { await a(); } catch (e) { next(e); }',
      '  try { await a(); } catch (e) { res.status(500).send(e.message); }',
      "  p.catch((e) => log.error('x', e));",
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/b.js', src, R), []);
  });

  it('logger callables are configurable', async () => {
    const src = "try { a(); } catch { audit.record('a failed'); }\n";
    assert.equal((await analyzeFile('x.js', src, { rules: [R] })).length, 1);
    assert.equal((await analyzeFile('x.js', src, { rules: [R], loggers: ['audit.record'] })).length, 0);
  });

  it('Python: flags pass/... and fallbacks, not raise, logging, or the ImportError idiom; fixes pass with the module logger', async () => {
    const src = [
      'import logging',
      'log = logging.getLogger(__name__)',
      'def f():',
      '    try:',
      '        a()',
      '    except:',
      '        pass',
      '    try:',
      '        a()',
      '    except Exception as e:',
      '        return None',
      '    try:',
      '        a()',
      '    except Exception:',
      '        log.exception("a failed")',
      '    try:',
      '        a()',
      '    except KeyError as e:',
      '        raise LookupError("x") from e',
      '    try:',
      '        a()',
      '    except OSError:',
      '        structlog.get_logger().warning("a failed")',
      'try:',
      '    import ujson',
      'except ImportError:',
      '    ujson = None',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/a.py', src, R), [6, 10]);
    const fixed = await fixAt('app/a.py', src, R, 6);
    assert.match(fixed, /except:\n {8}log\.exception\("unexpected error"\)/);
  });

  it('Go: flags `if err != nil { return nil }` and empty blocks, not returns of err, wrapping or logging', async () => {
    const src = [
      'package p',
      'import "log/slog"',
      'func f() (*T, error) {',
      '\tt, err := load()',
      '\tif err != nil {',
      '\t\treturn nil, nil',
      '\t}',
      '\tif err != nil {',
      '\t}',
      '\tif err != nil {',
      '\t\treturn nil, fmt.Errorf("load: %w", err)',
      '\t}',
      '\tif err != nil {',
      '\t\tslog.Error("load failed")',
      '\t\treturn nil, nil',
      '\t}',
      '\treturn t, err',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('p/f.go', src, R), [5, 8]);
    const fixed = await fixAt('p/f.go', src, R, 5);
    assert.match(fixed, /if err != nil \{\n\t\tslog\.Error\("operation failed", "err", err\)\n\t\treturn nil, nil/);
  });

  it('Java: flags empty and fallback catches; rethrow, SLF4J logging and interrupt() are fine', async () => {
    const src = [
      'class A {',
      '  private static final Logger LOG = LoggerFactory.getLogger(A.class);',
      '  void m() {',
      '    try { x(); } catch (IOException e) { }',
      '    try { x(); } catch (Exception e) { return; }',
      '    try { x(); } catch (IOException e) { throw new UncheckedIOException(e); }',
      '    try { x(); } catch (Exception e) { LOG.warn("x failed"); }',
      '    try { x(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('A.java', src, R), [4, 5]);
    const fixed = await fixAt('A.java', src, R, 4);
    assert.match(fixed, /LOG\.warn\("unexpected error", e\);/);
  });
});
