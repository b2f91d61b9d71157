import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile } from '../../../src/core/analysis/analyze';
import { escapeRegExp } from '../../../src/core/analysis/syntax';

test('escapeRegExp makes any text a literal, so names from half-typed code never break a rule', () => {
  for (const text of ['a(b', 'x)', '[u', 'a.b*c+?', '$^{}|\\', 'plain']) {
    assert.ok(new RegExp(`^${escapeRegExp(text)}$`).test(text), text);
    assert.ok(!new RegExp(`^${escapeRegExp(text)}$`).test(`${text}x`), text);
  }
});

test('a Go file in the middle of an edit (unbalanced parentheses around a client) analyses without throwing', async () => {
  const text = ['package main', 'import "net/http"', 'func f() {', '\tc(u := &http.Client{}', '\tc(u.Get("http://x")', '}', ''].join('\n');
  const findings = await analyzeFile('main.go', text);
  assert.ok(Array.isArray(findings));
});
