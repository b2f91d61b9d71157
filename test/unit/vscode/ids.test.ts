import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LENS_TEMPLATE } from '../../../src/core/render/lensTemplate';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';
import { SOURCE_KINDS } from '../../../src/core/sources/sourceSpec';
import { DEFAULTS } from '../../../src/vscode/config';
import { Colors, Commands, ContextKeys, INTERNAL_COMMANDS, RISK_SCAN_STATES, SECTION, Settings, Views } from '../../../src/vscode/ids';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    configuration: { properties: Record<string, { default: unknown; description?: string; markdownDescription?: string }> };
    colors: { id: string; defaults: Record<string, string> }[];
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string; type: string }[]>;
    viewsWelcome: { view: string; when: string; contents: string }[];
  };
}

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest;

test('every command id is contributed with the Runtime Lens category, and nothing else is', () => {
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values(Commands).sort());
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'Runtime Lens', c.command);
});

test('internal commands are hidden from the palette', () => {
  const hidden = manifest.contributes.menus.commandPalette
    .filter((m) => m.when === 'false')
    .map((m) => m.command)
    .sort();
  assert.deepEqual(hidden, [...INTERNAL_COMMANDS].sort());
});

test('every setting key is contributed with a description, and the defaults agree with the code', () => {
  const props = manifest.contributes.configuration.properties;
  assert.deepEqual(
    Object.keys(props).sort(),
    Object.values(Settings)
      .map((k) => `${SECTION}.${k}`)
      .sort(),
  );
  for (const [key, p] of Object.entries(props)) assert.ok(p.description || p.markdownDescription, `${key} has no description`);
  const d = (k: string): unknown => props[`${SECTION}.${k}`].default;
  assert.equal(d(Settings.receiverHost), DEFAULTS.host);
  assert.equal(d(Settings.receiverPort), DEFAULTS.port);
  assert.equal(d(Settings.window), DEFAULTS.window);
  assert.equal(d(Settings.autoStart), false);
  assert.equal(d(Settings.environment), '');
  assert.equal(d(Settings.codeLensTemplate), DEFAULT_LENS_TEMPLATE);
  assert.equal(d(Settings.latencyWarningMs), DEFAULT_THRESHOLDS.latencyWarningMs);
  assert.equal(d(Settings.latencyErrorMs), DEFAULT_THRESHOLDS.latencyErrorMs);
  assert.equal(d(Settings.errorRateWarning), DEFAULT_THRESHOLDS.errorRateWarning);
  assert.equal(d(Settings.errorRateError), DEFAULT_THRESHOLDS.errorRateError);
  assert.equal(d(Settings.traceUrlTemplate), '');
  assert.equal(d(Settings.receiverEnabled), true);
  assert.deepEqual(d(Settings.sources), []);
});

test("the sources setting's schema knows every field the settings reader takes, and its kinds", () => {
  const items = (manifest.contributes.configuration.properties[`${SECTION}.${Settings.sources}`] as unknown as { items: { properties: Record<string, { enum?: string[] }>; additionalProperties: boolean } }).items;
  assert.deepEqual(Object.keys(items.properties).sort(), ['auth', 'authHeader', 'caFile', 'environments', 'kind', 'name', 'refreshSeconds', 'url']);
  assert.deepEqual(items.properties.kind.enum, [...SOURCE_KINDS]);
  assert.equal(items.additionalProperties, false, 'a mistyped field is flagged in the settings editor');
});

test('colours, the view container and the view match the ids', () => {
  assert.deepEqual(manifest.contributes.colors.map((c) => c.id).sort(), Object.values(Colors).sort());
  for (const c of manifest.contributes.colors) assert.deepEqual(Object.keys(c.defaults).sort(), ['dark', 'highContrast', 'highContrastLight', 'light'], c.id);
  assert.deepEqual(
    manifest.contributes.viewsContainers.activitybar.map((v) => v.id),
    [Views.container],
  );
  assert.deepEqual(
    manifest.contributes.views[Views.container].map((v) => [v.id, v.type]),
    [
      [Views.liveSignals, 'webview'],
      [Views.productionRisk, 'tree'],
    ],
  );
  assert.ok(manifest.activationEvents.includes(`onView:${Views.liveSignals}`));
});

test('the Production risk view explains itself in every scan state, with links that lead somewhere', () => {
  const welcome = manifest.contributes.viewsWelcome;
  const views = Object.values(manifest.contributes.views)
    .flat()
    .map((v) => v.id);
  const builtIn = ['workbench.action.openSettings', 'workbench.trust.manage'];
  for (const w of welcome) {
    assert.ok(views.includes(w.view), `${w.view} is not a contributed view`);
    for (const [, command] of w.contents.matchAll(/\(command:([\w.]+)/g)) {
      assert.ok((Object.values(Commands) as string[]).includes(command!) || builtIn.includes(command!), `unknown command ${command}`);
    }
    for (const [, state] of w.when.matchAll(new RegExp(`${ContextKeys.riskScan.replace('.', '\\.')} == (\\w+)`, 'g'))) {
      assert.ok((RISK_SCAN_STATES as readonly string[]).includes(state!), `unknown state ${state}`);
    }
  }
  const risk = welcome.filter((w) => w.view === Views.productionRisk);
  for (const state of RISK_SCAN_STATES)
    assert.ok(
      risk.some((w) => w.when.includes(`== ${state}`)),
      `no welcome text for ${state}`,
    );
  assert.ok(
    risk.some((w) => w.when === `!${ContextKeys.riskScan}`),
    'no welcome text before the first scan',
  );
  const setting = /openSettings\?%5B%22([\w.]+)%22%5D/.exec(welcome.map((w) => w.contents).join('\n'))?.[1];
  assert.equal(setting, `${SECTION}.${Settings.analysisAll}`);
});
