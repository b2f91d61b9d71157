import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { listAuthorship } from '../../../src/core/analysis/authorship';
import type { ProductionFigures } from '../../../src/core/analysis/findings';
import { servingText } from '../../../src/core/render/servingText';
import { injectedMarkdown, markdownIcons, UNSAFE_CHARS } from '../../support/hostileText';
import { fnLines, makeRepo, removeTestRepos } from '../analysis/attribution/gitRepo';

after(() => removeTestRepos());

const figures: ProductionFigures = { ratePerMin: 12, p95Ms: 480, errorRate: 0.02, count: 60, window: '5m', environment: 'prod', impact: 1 };

// The "AI-written code serving traffic" rows of the Production risk view (issue 11 §4) show what
// strangers' commits say: agent and model names from trailers, the commit subject behind the source,
// file paths. A real repository carries the payloads; the real listing reads them.
test('the serving-traffic row of a hostile commit shows its names as text: no link, image, HTML, icon or control character', async () => {
  const repo = makeRepo();
  const dir = 'src/[x](http:/evil.example)$(bell)';
  repo.write(`${dir}/pay.ts`, fnLines('quote', ['return fetch("http://carrier/quote");']));
  repo.commit(['Add quotes', '', 'Co-Authored-By: Claude Opus 4.7 $(bell) [Update](http://evil.example/u) ![p](http://evil.example/p.png) <img src=x> \u202eexe.gnp\u001b[8m <noreply@anthropic.com>'].join('\n'));
  const { rows } = await listAuthorship({ paths: [repo.dir], root: repo.dir });
  assert.equal(rows.length, 1, JSON.stringify(rows));
  const row = rows[0]!;
  assert.ok(row.attribution.ai);
  assert.match(row.attribution.model ?? '', /evil/, 'the payload reaches the row: the test would not prove anything otherwise');

  const text = servingText({ ...row, production: figures }, 1);
  for (const line of [text.label, text.description]) {
    assert.doesNotMatch(line, UNSAFE_CHARS, JSON.stringify(line));
    assert.doesNotMatch(line, /\n|\r/);
  }
  assert.equal(text.label, 'quote');
  assert.deepEqual(injectedMarkdown(text.tooltip), [], text.tooltip);
  assert.deepEqual(markdownIcons(text.tooltip, []), [], text.tooltip);
  // still readable: the path and the model are there, as text
  assert.match(text.tooltip, /evil\\\.example/);
  assert.match(text.tooltip, /Claude Opus 4\\\.7/);
});
