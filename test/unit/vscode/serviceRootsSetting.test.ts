import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ConfigWarnings, readConfig, type ConfigSource } from '../../../src/vscode/config';
import { SECTION, Settings } from '../../../src/vscode/ids';

interface Property {
  type: string;
  default: unknown;
  scope?: string;
  additionalProperties?: { type: string };
}

const properties = (JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Property> } } }).contributes.configuration.properties;

function read(values: Record<string, unknown>): { roots: ReturnType<typeof readConfig>['serviceRoots']; shown: string[] } {
  const shown: string[] = [];
  const source: ConfigSource = { get: <T>(key: string) => values[key] as T | undefined };
  return { roots: readConfig(source, new ConfigWarnings((m) => shown.push(m))).serviceRoots, shown };
}

test('runtimeLens.serviceRoots is a per-folder object of service name to folder, empty by default', () => {
  const p = properties[`${SECTION}.${Settings.serviceRoots}`];
  assert.ok(p, 'contributed');
  assert.equal(p.type, 'object');
  assert.deepEqual(p.default, {});
  assert.equal(p.scope, 'resource');
  assert.deepEqual(p.additionalProperties, { type: 'string' });
  assert.deepEqual(read({}).roots, []);
});

test('valid entries become rules with clean relative folders; invalid ones are reported once and left out', () => {
  const ok = read({ serviceRoots: { orders: './services/orders/', billing: 'services\\billing', root: '.' } });
  assert.deepEqual(ok.shown, []);
  assert.deepEqual(ok.roots, [
    { name: 'orders', dir: 'services/orders' },
    { name: 'billing', dir: 'services/billing' },
    { name: 'root', dir: '' },
  ]);

  const bad = read({ serviceRoots: { orders: 'services/orders', escape: '../other', abs: '/etc', num: 3, '': 'x' } });
  assert.deepEqual(bad.roots, [{ name: 'orders', dir: 'services/orders' }]);
  assert.equal(bad.shown.length, 1);
  assert.match(bad.shown[0]!, /runtimeLens\.serviceRoots: "escape": "\.\.\/other" must be a folder inside the workspace.*"abs".*"num" must be a folder path.*"" is not a service name\. Those entries are ignored\./);
  assert.match(read({ serviceRoots: ['orders'] }).shown[0]!, /it must be an object of service name to folder/);
});
