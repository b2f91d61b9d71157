import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { cleanServiceDir, manifestServiceNames, parseServiceRootRule, ServiceRoots } from '../../../src/core/mapping/serviceRoots';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { resource, span } from '../../support/records';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-service-roots-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function workspace(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const FLASK_HEALTH = `from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return "ok"
`;

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <!-- <artifactId>commented-out</artifactId> -->
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.0</version>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>inventory-service</artifactId>
  <dependencies>
    <dependency><artifactId>spring-boot-starter-web</artifactId></dependency>
  </dependencies>
</project>
`;

test('each manifest kind names its folder: package.json, go.mod, pyproject (PEP 621 and Poetry), setup.py, setup.cfg, pom.xml', () => {
  assert.deepEqual(manifestServiceNames('a/package.json', '{"name": "@acme/checkout", "version": "1.0.0"}'), ['@acme/checkout', 'checkout']);
  assert.deepEqual(manifestServiceNames('package.json', '{"private": true}'), []);
  assert.deepEqual(manifestServiceNames('package.json', '{not json'), []);
  assert.deepEqual(manifestServiceNames('go.mod', 'module github.com/acme/pricing\n\ngo 1.22\n'), ['github.com/acme/pricing', 'pricing']);
  assert.deepEqual(manifestServiceNames('go.mod', '// comment\nmodule example.com/orders/v2\n'), ['example.com/orders/v2', 'orders']);
  assert.deepEqual(manifestServiceNames('pyproject.toml', '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "billing_api"\nversion = "0.1"\n'), ['billing_api']);
  assert.deepEqual(manifestServiceNames('pyproject.toml', '[tool.poetry]\nname = \'orders\'\n[tool.poetry.dependencies]\nname = "not-this"\n'), ['orders']);
  assert.deepEqual(manifestServiceNames('pyproject.toml', '[tool.black]\nline-length = 100\n'), []);
  assert.deepEqual(manifestServiceNames('setup.py', 'from setuptools import setup\n\nsetup(\n    name="legacy-svc",\n    version="1.0",\n)\n'), ['legacy-svc']);
  assert.deepEqual(manifestServiceNames('setup.cfg', '[metadata]\nname = cfg_svc\nversion = 1\n\n[options]\nname = nope\n'), ['cfg_svc']);
  assert.deepEqual(manifestServiceNames('pom.xml', POM), ['inventory-service'], 'the project artifactId, not the parent or a dependency');
});

test('rules parse and folders stay inside the workspace', () => {
  assert.deepEqual(parseServiceRootRule('orders=services/orders'), { name: 'orders', dir: 'services/orders' });
  assert.throws(() => parseServiceRootRule('=x'), /takes NAME=DIR/);
  assert.throws(() => parseServiceRootRule('orders'), /takes NAME=DIR/);
  assert.equal(cleanServiceDir('./services//orders/'), 'services/orders');
  assert.equal(cleanServiceDir('.'), '');
  assert.equal(cleanServiceDir('../elsewhere'), undefined);
  assert.equal(cleanServiceDir('/etc'), undefined);
  assert.equal(cleanServiceDir('C:\\\\x'), undefined);
});

test('a file belongs to the deepest service folder; names compare without case and with - and _ alike; explicit rules win', () => {
  const roots = new ServiceRoots(
    [
      { name: 'shop', dir: '' },
      { name: 'Orders_API', dir: 'services/orders' },
      { name: 'billing', dir: 'services/billing' },
      { name: 'billing', dir: 'legacy/billing' },
    ],
    [{ name: 'billing', dir: 'services/billing' }],
  );
  assert.equal(roots.dirFor('orders-api'), 'services/orders');
  assert.equal(roots.dirFor('ORDERS_API'), 'services/orders');
  assert.equal(roots.dirFor('billing'), 'services/billing', 'the explicit rule replaces both discovered billing folders');
  assert.equal(roots.dirFor('unknown'), undefined);
  const files = [{ file: 'services/orders/app.py' }, { file: 'services/billing/app.py' }, { file: 'tools/app.py' }, { file: 'services/orders-old/app.py' }];
  assert.deepEqual(roots.filterByService('orders_api', files), [{ file: 'services/orders/app.py' }]);
  assert.deepEqual(roots.filterByService('shop', files), [{ file: 'tools/app.py' }, { file: 'services/orders-old/app.py' }], 'nested services own their folders');
  assert.deepEqual(roots.filterByService('nobody', files), []);
});

test("the same route in two services' folders maps by service.name (discovered from manifests) instead of being ambiguous", async () => {
  const root = workspace('monorepo', {
    'package.json': '{"name": "shop-monorepo", "private": true}',
    'services/orders/pyproject.toml': '[project]\nname = "orders"\n',
    'services/orders/app.py': FLASK_HEALTH,
    'services/billing/setup.py': 'from setuptools import setup\nsetup(name="billing")\n',
    'services/billing/app.py': `\n\n${FLASK_HEALTH}`,
  });
  const { index, stats } = await WorkspaceIndex.build(root);
  assert.equal(stats.services, 3);
  assert.equal(index.serviceRoots.dirFor('orders'), 'services/orders');
  const mapper = new CodeMapper(index);
  const health = (service: string) => span({ kind: 2, name: 'GET /health', httpMethod: 'GET', httpRoute: '/health', resource: resource(service, 'production', { language: 'python' }) });

  const orders = await mapper.resolve(health('orders'));
  assert.equal(orders.location?.file, 'services/orders/app.py', orders.reason);
  assert.equal(orders.location?.line, 7);
  assert.equal(orders.location?.function, 'health');
  const billing = await mapper.resolve(health('billing'));
  assert.equal(billing.location?.file, 'services/billing/app.py', billing.reason);
  assert.equal(billing.location?.line, 9);

  // A service without a folder of its own still gets the honest "several places" answer.
  const stranger = await mapper.resolve(health('gateway'));
  assert.equal(stranger.location, null);
  assert.match(stranger.reason, /registered in several places \(services\/billing\/app\.py:\d+, services\/orders\/app\.py:\d+\)/);
});

test('an explicit rule names a folder that has no manifest, and wins over a manifest that names another folder', async () => {
  const root = workspace('explicit', {
    'svc-a/app.py': FLASK_HEALTH,
    'svc-b/pyproject.toml': '[project]\nname = "orders"\n',
    'svc-b/app.py': FLASK_HEALTH,
  });
  const { index } = await WorkspaceIndex.build(root, [], undefined, { serviceRoots: [{ name: 'orders', dir: 'svc-a' }] });
  const mapper = new CodeMapper(index);
  const r = await mapper.resolve(span({ kind: 2, httpMethod: 'GET', httpRoute: '/health', resource: resource('orders') }));
  assert.equal(r.location?.file, 'svc-a/app.py', r.reason);
});

test("Maven and Go services: artifactId and the go.mod module's last element name their folders", async () => {
  const root = workspace('polyglot', {
    'inventory/pom.xml': POM,
    'inventory/src/main/java/com/example/HealthController.java':
      'package com.example;\n\n@RestController\npublic class HealthController {\n  @GetMapping("/health")\n  public String health() {\n    return "ok";\n  }\n}\n',
    'pricing/go.mod': 'module github.com/acme/pricing\n\ngo 1.22\n',
    'pricing/main.go': 'package main\n\nimport "net/http"\n\nfunc health(w http.ResponseWriter, r *http.Request) {}\n\nfunc main() {\n\thttp.HandleFunc("GET /health", health)\n}\n',
  });
  const { index } = await WorkspaceIndex.build(root);
  assert.equal(index.serviceRoots.dirFor('inventory-service'), 'inventory');
  assert.equal(index.serviceRoots.dirFor('pricing'), 'pricing');
  assert.equal(index.serviceRoots.dirFor('github.com/acme/pricing'), 'pricing');
  const mapper = new CodeMapper(index);
  const java = await mapper.resolve(span({ kind: 2, httpMethod: 'GET', httpRoute: '/health', resource: resource('inventory-service', 'production', { language: 'java' }) }));
  assert.equal(java.location?.file, 'inventory/src/main/java/com/example/HealthController.java', java.reason);
  const go = await mapper.resolve(span({ kind: 2, httpMethod: 'GET', httpRoute: '/health', resource: resource('pricing', 'production', { language: 'go' }) }));
  assert.equal(go.location?.file, 'pricing/main.go', go.reason);
});
