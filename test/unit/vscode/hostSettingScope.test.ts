import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { SECTION, Settings } from '../../../src/vscode/ids';

interface Manifest {
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
}

const properties = (JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest).contributes.configuration.properties;

test('a repository cannot set the receiver host (machine scope), and no setting holds a token', () => {
  assert.equal(properties[`${SECTION}.${Settings.receiverHost}`]?.scope, 'machine');
  assert.deepEqual(
    Object.keys(properties).filter((key) => /token|secret|password/i.test(key)),
    [],
  );
});
