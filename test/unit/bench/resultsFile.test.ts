// bench/RESULTS.md: a benchmark's runs are filed under its own heading, not after whatever was recorded last.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileUnderHeading } from '../../../bench/resultsFile';

const PEERS = '## `npm run bench:peers` — ingest';
const CAPS = '## `npm run bench:caps` — the store';

test('a run goes at the end of its own section, before the next benchmark heading', () => {
  const text = `# Results\n\n${PEERS}\n\n### run 1\n\n| a |\n\n${CAPS}\n\n### caps run\n`;
  const out = fileUnderHeading(text, PEERS, '### run 2\n\n| b |');
  assert.equal(out, `# Results\n\n${PEERS}\n\n### run 1\n\n| a |\n\n### run 2\n\n| b |\n\n${CAPS}\n\n### caps run\n`);
});

test('the last section gets the run at the end of the file, and a new benchmark its heading', () => {
  const text = `# Results\n\n${CAPS}\n\n### caps run\n`;
  assert.equal(fileUnderHeading(text, CAPS, '### caps run 2'), `${text}\n### caps run 2\n`);
  assert.equal(fileUnderHeading(text, PEERS, '### run 1'), `${text}\n${PEERS}\n\n### run 1\n`);
});

test('a level-3 heading is not taken for the next benchmark, nor a heading that only starts the same', () => {
  const text = `${PEERS} (issue 15)\n\n### run 1\n`;
  assert.equal(fileUnderHeading(text, PEERS, '### run 2'), `${text}\n${PEERS}\n\n### run 2\n`);
});
