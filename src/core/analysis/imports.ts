import type { Node, Tree } from 'web-tree-sitter';
import type { Language } from './findings';
import { isJsFamily } from './languages';
import { stringValue } from './syntax';

/** What a local name is bound to: a module itself (`member` null) or one export of it. */
export interface ImportBinding {
  module: string;
  member: string | null;
}

/** A resolved reference: the module and the member path below it ('' for the module itself). */
export interface QualifiedName {
  module: string;
  path: string;
}

/** Local names bound by imports (and requires), plus names that shadow globals like `fetch`. */
export interface ImportTable {
  bindings: Map<string, ImportBinding>;
  /** Java wildcard imports (`import java.sql.*` -> 'java.sql'). */
  wildcards: string[];
  /** Top-level names the file declares itself (a local `fetch` is not the global one). */
  declared: Set<string>;
}

/** Finds descendants of the root by type (lets a caller share one walk of the tree). */
export type NodeFinder = (types: string[]) => Node[];

/** Reads the imports of a parsed file. */
export function readImports(tree: Tree, language: Language, find?: NodeFinder): ImportTable {
  const table: ImportTable = { bindings: new Map(), wildcards: [], declared: new Set() };
  const root = tree.rootNode;
  const nodes: NodeFinder = find ?? ((types) => root.descendantsOfType(types).filter((n): n is Node => n !== null));
  if (isJsFamily(language)) readJs(root, table, nodes);
  else if (language === 'python') readPython(root, table, nodes);
  else if (language === 'go') readGo(table, nodes);
  else if (language === 'java') readJava(table, nodes);
  return table;
}

/** Resolves dotted callee segments through the imports; null when the head is not imported. */
export function resolveName(segs: readonly string[], imports: ImportTable): QualifiedName | null {
  const head = segs[0];
  const binding = imports.bindings.get(head);
  if (!binding) return null;
  const rest = segs.slice(1).join('.');
  const path = binding.member ? (rest ? `${binding.member}.${rest}` : binding.member) : rest;
  return { module: binding.module, path };
}

/** Whether a qualified name is `module.path` for one of the given modules and paths. */
export function isName(q: QualifiedName | null, modules: readonly string[], paths: readonly string[]): boolean {
  return q !== null && modules.includes(q.module) && paths.includes(q.path);
}

function normalizeJsModule(spec: string): string {
  return spec.startsWith('node:') ? spec.slice(5) : spec;
}

function readJs(root: Node, table: ImportTable, nodes: NodeFinder): void {
  for (const stmt of nodes(['import_statement'])) {
    {
      const source = stringValue(stmt.childForFieldName('source'));
      if (source === null) {
        // TypeScript `import x = require('m')`
        const req = stmt.descendantsOfType('import_require_clause')[0];
        const name = req?.namedChildren[0];
        const src = req ? stringValue(req.childForFieldName('source')) : null;
        if (name && src) table.bindings.set(name.text, { module: normalizeJsModule(src), member: null });
        continue;
      }
      const module = normalizeJsModule(source);
      const clause = stmt.namedChildren.find((c) => c?.type === 'import_clause');
      for (const c of clause?.namedChildren ?? []) {
        if (!c) continue;
        if (c.type === 'identifier') table.bindings.set(c.text, { module, member: null });
        else if (c.type === 'namespace_import') {
          const id = c.namedChildren.find((x) => x?.type === 'identifier');
          if (id) table.bindings.set(id.text, { module, member: null });
        } else if (c.type === 'named_imports') {
          for (const spec of c.namedChildren) {
            if (spec?.type !== 'import_specifier') continue;
            const name = spec.childForFieldName('name')?.text ?? '';
            const alias = spec.childForFieldName('alias')?.text ?? name;
            table.bindings.set(alias, { module, member: name === 'default' ? null : name });
          }
        }
      }
    }
  }
  // require() anywhere at declaration level: `const x = require('m')`, `const { a: b } = require('m')`,
  // `const x = require('m').default`
  for (const decl of nodes(['variable_declarator'])) {
    if (!/^require\(|\brequire\(/.test(decl.text)) continue;
    const name = decl.childForFieldName('name');
    let value = decl.childForFieldName('value');
    let member: string | null = null;
    if (value?.type === 'member_expression' && value.childForFieldName('object')?.type === 'call_expression') {
      const prop = value.childForFieldName('property')?.text ?? null;
      member = prop === 'default' ? null : prop;
      value = value.childForFieldName('object');
    }
    if (!name || value?.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'require') continue;
    const src = stringValue(value.childForFieldName('arguments')?.namedChildren[0]);
    if (src === null) continue;
    const module = normalizeJsModule(src);
    if (name.type === 'identifier') table.bindings.set(name.text, { module, member });
    else if (name.type === 'object_pattern') {
      for (const p of name.namedChildren) {
        if (!p) continue;
        if (p.type === 'shorthand_property_identifier_pattern') table.bindings.set(p.text, { module, member: p.text });
        else if (p.type === 'pair_pattern') {
          const key = p.childForFieldName('key')?.text;
          const val = p.childForFieldName('value');
          if (key && val?.type === 'identifier') table.bindings.set(val.text, { module, member: key });
        }
      }
    }
  }
  for (const stmt of root.namedChildren) {
    if (!stmt) continue;
    const target = stmt.type === 'export_statement' ? stmt.childForFieldName('declaration') : stmt;
    if (!target) continue;
    if (target.type === 'function_declaration' || target.type === 'class_declaration') {
      const n = target.childForFieldName('name')?.text;
      if (n) table.declared.add(n);
    } else if (target.type === 'lexical_declaration' || target.type === 'variable_declaration') {
      for (const d of target.namedChildren) {
        const n = d?.childForFieldName('name');
        if (n?.type === 'identifier' && !table.bindings.has(n.text)) table.declared.add(n.text);
      }
    }
  }
}

function readPython(root: Node, table: ImportTable, nodes: NodeFinder): void {
  for (const stmt of nodes(['import_statement', 'import_from_statement'])) {
    if (!stmt) continue;
    if (stmt.type === 'import_statement') {
      for (const n of stmt.childrenForFieldName('name')) {
        if (!n) continue;
        if (n.type === 'aliased_import') {
          const alias = n.childForFieldName('alias')?.text;
          const name = n.childForFieldName('name')?.text;
          if (alias && name) table.bindings.set(alias, { module: name, member: null });
        } else {
          // `import urllib.request` binds `urllib`; the rest of the path resolves through attributes
          const head = n.text.split('.')[0];
          if (!table.bindings.has(head)) table.bindings.set(head, { module: head, member: null });
        }
      }
    } else {
      const module = stmt.childForFieldName('module_name')?.text;
      if (!module) continue;
      for (const n of stmt.childrenForFieldName('name')) {
        if (!n) continue;
        if (n.type === 'aliased_import') {
          const alias = n.childForFieldName('alias')?.text;
          const name = n.childForFieldName('name')?.text;
          if (alias && name) table.bindings.set(alias, { module, member: name });
        } else table.bindings.set(n.text, { module, member: n.text });
      }
    }
  }
  for (const stmt of root.namedChildren) {
    if (stmt?.type === 'function_definition' || stmt?.type === 'class_definition') {
      const n = stmt.childForFieldName('name')?.text;
      if (n) table.declared.add(n);
    }
  }
}

function readGo(table: ImportTable, nodes: NodeFinder): void {
  for (const spec of nodes(['import_spec'])) {
    if (!spec) continue;
    const path = stringValue(spec.childForFieldName('path'));
    if (!path) continue;
    const alias = spec.childForFieldName('name')?.text;
    if (alias === '_' || alias === '.') continue;
    const parts = path.split('/');
    let local = parts[parts.length - 1];
    if (/^v\d+$/.test(local) && parts.length > 1) local = parts[parts.length - 2];
    // the package clause usually drops a `go-` prefix or `-go` suffix of the repository name
    local = local.replace(/^go-/, '').replace(/[-.]go$/, '');
    table.bindings.set(alias ?? local, { module: path, member: null });
  }
}

function readJava(table: ImportTable, nodes: NodeFinder): void {
  for (const imp of nodes(['import_declaration'])) {
    if (!imp) continue;
    const scoped = imp.namedChildren.find((c) => c?.type === 'scoped_identifier' || c?.type === 'identifier');
    if (!scoped) continue;
    const full = scoped.text;
    if (imp.namedChildren.some((c) => c?.type === 'asterisk')) {
      table.wildcards.push(full);
      continue;
    }
    const dot = full.lastIndexOf('.');
    table.bindings.set(full.slice(dot + 1), { module: full.slice(0, dot), member: full.slice(dot + 1) });
  }
}

/** Java: the package of a simple class name, from explicit or wildcard imports (null if unknown). */
export function javaPackageOf(className: string, imports: ImportTable, candidates: readonly string[]): string | null {
  const b = imports.bindings.get(className);
  if (b) return b.module;
  return candidates.find((pkg) => imports.wildcards.includes(pkg)) ?? null;
}
