// Where the last shadow run is kept: outside the workspace, one folder per workspace (the same through
// a symbolic link), written whole or not at all, and a file that is not a report reads as none.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Logger } from '../../../src/core/logger';
import { lastShadowReportPath, readLastShadowReport, writeLastShadowReport } from '../../../src/core/shadow/lastShadowReport';
import { parseShadowReport } from '../../../src/core/shadow/parseShadowReport';
import { repoRoot } from '../../support/harness';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-last-shadow-'));
const cache = path.join(tmp, 'cache');
const home = path.join(tmp, 'home');
const workspace = path.join(tmp, 'work', 'shop');
mkdirSync(workspace, { recursive: true });
const where = { env: { XDG_CACHE_HOME: cache }, home };
const parsed = parseShadowReport(readFileSync(path.join(repoRoot, 'test/fixtures/shadow-report/planted.json'), 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const report = parsed.report;

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info() {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('last shadow report', () => {
  it('lives in the cache folder under a hash of the real workspace path, never inside the workspace', async () => {
    const file = await lastShadowReportPath(workspace, where);
    assert.match(path.relative(cache, file), /^runtime-lens[\\/][0-9a-f]{16}[\\/]last-shadow\.json$/);
    assert.ok(!file.startsWith(workspace));
    const link = path.join(tmp, 'link');
    symlinkSync(workspace, link);
    assert.equal(await lastShadowReportPath(link, where), file, 'a symbolic link to the workspace is the same workspace');
    assert.notEqual(await lastShadowReportPath(path.join(tmp, 'work'), where), file, 'another folder has its own file');
    // Without XDG_CACHE_HOME (or with a relative one, which XDG says to ignore): ~/.cache.
    const homeFile = await lastShadowReportPath(workspace, { env: { XDG_CACHE_HOME: 'relative/cache' }, home });
    assert.equal(path.relative(home, homeFile).split(path.sep).slice(0, 2).join('/'), '.cache/runtime-lens');
  });

  it('reads back what was written, and leaves no temporary file behind', async () => {
    assert.equal(await readLastShadowReport(workspace, recordingLogger(), where), undefined, 'no run yet: none, and nothing logged');
    const file = await writeLastShadowReport(workspace, { report, finishedAt: 1_700_000_000_000 }, where);
    const back = await readLastShadowReport(workspace, recordingLogger(), where);
    assert.equal(back?.finishedAt, 1_700_000_000_000);
    assert.deepEqual(back?.report, report);
    // A second write replaces the first whole (rename over it).
    await writeLastShadowReport(workspace, { report: { ...report, replayed: 3 }, finishedAt: 1_700_000_000_500 }, where);
    assert.equal((await readLastShadowReport(workspace, recordingLogger(), where))?.report.replayed, 3);
    assert.deepEqual(readdirSync(path.dirname(file)), ['last-shadow.json']);
  });

  it('reads a corrupt or foreign file as no run, with one line in the log', async () => {
    const file = await lastShadowReportPath(workspace, where);
    const cases: [string, RegExp][] = [
      ['{"finishedAt": 17000', /not JSON/],
      [JSON.stringify({ report }), /does not say when the run finished/],
      [JSON.stringify({ finishedAt: 1_700_000_000_000, report: { requests: 'many' } }), /no request counts/],
    ];
    for (const [text, why] of cases) {
      writeFileSync(file, text);
      const logger = recordingLogger();
      assert.equal(await readLastShadowReport(workspace, logger, where), undefined, text);
      assert.equal(logger.lines.length, 1, logger.lines.join('\n'));
      assert.match(logger.lines[0]!, why);
    }
  });
});
