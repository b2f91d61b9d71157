import type { Node } from 'web-tree-sitter';
import type { FixHint } from '../findings';
import { javaPackageOf } from '../imports';
import { argumentsOf, escapeRegExp, indentOf, rangeOf } from '../syntax';
import type { RuleContext } from './context';
import { insertAfter, insertAt, replaceNode } from './fixes';
import { builderGetsFactory, chainFrom, everyRequestHasTimeout, factoryConfiguredLater, sentWithDeadline } from './javaDeadlines';

/** Checks Java: java.net.http clients and requests, RestTemplate, OkHttp with timeouts disabled, JDBC statements. */
export function checkJavaTimeouts(ctx: RuleContext): void {
  const ms = ctx.options.fixTimeoutMs;
  const javaHttp = (cls: string) => javaPackageOf(cls, ctx.imports, ['java.net.http']) === 'java.net.http';
  for (const { node, segments } of ctx.calls()) {
    if (node.type === 'object_creation_expression') {
      const type = node.childForFieldName('type')?.text ?? '';
      if ((type === 'RestTemplate' || type.endsWith('.RestTemplate')) && argumentsOf(node).length === 0 && !factoryConfiguredLater(ctx, node)) {
        ctx.report('missing-timeout', node, 'RestTemplate without connect/read timeouts (build it with RestTemplateBuilder timeouts or a configured request factory)');
      }
      continue;
    }
    const name = segments[segments.length - 1];
    const owner = segments[segments.length - 2];
    if (segments.length === 2 && owner === 'HttpClient' && name === 'newHttpClient' && javaHttp('HttpClient')) {
      const f: FixHint = { title: 'Use a builder with connectTimeout', edits: [replaceNode(node, `HttpClient.newBuilder().connectTimeout(Duration.ofMillis(${ms})).build()`), ...durationImport(ctx)] };
      ctx.report('missing-timeout', node, 'HttpClient without connectTimeout', f);
    } else if (segments.length === 2 && name === 'newBuilder' && (owner === 'HttpClient' || owner === 'HttpRequest') && javaHttp(owner)) {
      const chain = chainFrom(node);
      if (!chain.includes('build')) continue; // configured elsewhere; we cannot follow it
      const needed = owner === 'HttpClient' ? 'connectTimeout' : 'timeout';
      if (chain.includes(needed)) continue;
      if (owner === 'HttpClient' ? everyRequestHasTimeout(ctx) : sentWithDeadline(node)) continue;
      const f: FixHint = { title: `Add ${needed}`, edits: [insertAfter(node, `.${needed}(Duration.ofMillis(${ms}))`), ...durationImport(ctx)] };
      ctx.report('missing-timeout', node, owner === 'HttpClient' ? 'HttpClient without connectTimeout' : 'HttpRequest without timeout', f);
    } else if ((name === 'build' && segments[0] === 'RestTemplateBuilder') || (name === 'build' && /restTemplateBuilder|^builder$/i.test(segments[0]) && ctx.text.includes('RestTemplateBuilder'))) {
      const chain = chainFrom(node.childForFieldName('object') ?? node).concat(segments);
      if (!chain.some((c) => /^(set)?(connect|read)Timeout$/i.test(c.replace(/\(\)$/, ''))) && !builderGetsFactory(node)) ctx.report('missing-timeout', node, 'RestTemplate built without connect/read timeouts');
    } else if (/^(connect|read|write|call)Timeout$/.test(name) && /OkHttpClient|Builder/.test(segments.join('.')) && ctx.text.includes('okhttp3')) {
      const first = argumentsOf(node)[0];
      if (first && /^0[lL]?$/.test(first.text)) ctx.report('missing-timeout', node, `OkHttp ${name} disabled (0 means no timeout)`);
    } else if (/^(createStatement|prepareStatement|prepareCall)$/.test(name) && usesJdbc(ctx)) {
      checkStatement(ctx, node, Math.max(1, Math.ceil(ms / 1000)));
    }
  }
}

function usesJdbc(ctx: RuleContext): boolean {
  return ctx.imports.wildcards.includes('java.sql') || [...ctx.imports.bindings.values()].some((b) => b.module === 'java.sql');
}

function checkStatement(ctx: RuleContext, call: Node, seconds: number): void {
  const decl = call.parent;
  if (decl?.type !== 'variable_declarator' && decl?.type !== 'resource') return;
  const name = decl.childForFieldName('name')?.text;
  if (!name) return;
  let scope: Node | null = decl;
  while (scope && !['method_declaration', 'constructor_declaration', 'lambda_expression'].includes(scope.type)) scope = scope.parent;
  if (new RegExp(`\\b${escapeRegExp(name)}\\.setQueryTimeout\\(`).test((scope ?? ctx.root).text)) return;
  let edit: FixHint['edits'][number] | null = null;
  if (decl.type === 'variable_declarator' && decl.parent?.type === 'local_variable_declaration') {
    const stmt = decl.parent;
    edit = insertAfter(stmt, `\n${indentOf(ctx.text, stmt)}${name}.setQueryTimeout(${seconds});`);
  } else if (decl.type === 'resource') {
    const body = decl.parent?.parent?.childForFieldName('body');
    const firstStmt = body?.namedChildren.find((c) => c !== null);
    if (body && firstStmt) {
      const r = rangeOf(body);
      edit = insertAt(r.line, r.column + 1, `\n${indentOf(ctx.text, firstStmt)}${name}.setQueryTimeout(${seconds});`);
    }
  }
  ctx.report('missing-timeout', call, `JDBC statement without setQueryTimeout`, edit ? { title: 'Add setQueryTimeout', edits: [edit] } : undefined);
}

function durationImport(ctx: RuleContext): FixHint['edits'] {
  if (ctx.imports.bindings.has('Duration') || ctx.imports.wildcards.includes('java.time')) return [];
  const imports = ctx.nodes(['import_declaration']);
  const last = imports[imports.length - 1] ?? ctx.nodes(['package_declaration'])[0];
  if (!last) return [insertAt(1, 1, 'import java.time.Duration;\n')];
  return [insertAfter(last, '\nimport java.time.Duration;')];
}
