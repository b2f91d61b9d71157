// swallowed-error false positives of issue 11 §1: swallowing a reviewer reads as deliberate.
// Snippets are modelled on real code (config loaders, CLIs, cache layers, directory walkers).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings, lines } from './support';

const R = 'swallowed-error';

describe('swallowed-error: deliberate swallowing is not a finding', () => {
  it("JS/TS: a comment in or after the handler that says why, any comment in an empty catch (ESLint no-empty's convention), a no-empty suppression; a TODO does not", async () => {
    const src = [
      "import { readFile, rm } from 'node:fs/promises';",
      'export async function loadSettings(path: string) {',
      '  try {',
      "    return JSON.parse(await readFile(path, 'utf8'));",
      '  } catch {',
      '    // no settings file yet: start from the defaults',
      '    return {};',
      '  }',
      '}',
      'export function portOf(s: string) {',
      '  if (!/^\\d{1,5}$/.test(s)) throw new Error(`bad port: ${s}`);',
      "  try { return new URL(`http://localhost:${s}`).port; } catch { /* unreachable: validated by the pattern above */ return ''; }",
      '}',
      'export async function cleanup(dir: string, cache: Cache, key: string) {',
      '  await rm(dir, { recursive: true }).catch(() => undefined); // best effort: the OS clears tmp too',
      '  const hit = await cache.get(key).catch(() => null);',
      '  try { await cache.flush(); } catch {',
      '    // ignore',
      '  }',
      '  try { await cache.flush(); } catch { // TODO: handle this properly',
      '  }',
      '  try { await cache.flush(); } catch {} // eslint-disable-line no-empty',
      '  return hit;',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/settings.ts', src, R), [16, 20]);
  });

  it('JS/TS and Java: a handler that ends the process or writes to stderr reports the failure', async () => {
    const js = [
      'async function main() {',
      '  try { await run(process.argv.slice(2)); } catch { process.stderr.write("runtime-lens: failed\\n"); process.exitCode = 1; }',
      '  try { await run([]); } catch { process.exit(2); }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('bin/cli.js', js, R), []);
    const java = [
      'public final class Main {',
      '  public static void main(String[] args) {',
      '    try { new Server(args).start(); } catch (Exception e) { System.err.println("could not start the server"); System.exit(1); }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Main.java', java, R), []);
  });

  it('a handler that tells the user (toast.error, setError) reports the failure; a bare fallback does not', async () => {
    const src = [
      'export function useMove(documents: DocumentsStore, t: TFunction) {',
      '  const [error, setError] = useState<string | null>(null);',
      '  return async (id: string, to: string) => {',
      '    try { await documents.move({ id, collectionId: to }); } catch { toast.error(t("Couldn’t move the document, try again?")); }',
      '    try { await documents.move({ id, collectionId: to }); } catch { setError(t("Move failed")); }',
      '    try { await documents.move({ id, collectionId: to }); } catch { return false; }',
      '  };',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('app/hooks/useMove.tsx', src, R), [6]);
  });

  it('Python/Java: a planned recovery for a narrow exception type; a broad catch with the same body stays a finding', async () => {
    const py = [
      'from docker.errors import ImageNotFound',
      'def run(client, image, **kwargs):',
      '    try:',
      '        container = client.containers.create(image, **kwargs)',
      '    except ImageNotFound:',
      '        client.images.pull(image)',
      '        container = client.containers.create(image, **kwargs)',
      '    try:',
      '        container.start()',
      '    except Exception:',
      '        container.remove(force=True)',
      '    return container',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/run.py', py, R), [10]);
    const java = [
      'class Tokens {',
      '  Token read(String raw) {',
      '    try { return Token.parse(raw); } catch (DateTimeParseException e) { return Token.legacy(raw); }',
      '  }',
      '  Token safe(String raw) {',
      '    try { return Token.parse(raw); } catch (Exception e) { return Token.legacy(raw); }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Tokens.java', java, R), [6]);
  });

  it('Python: expected absence (KeyError, FileNotFoundError) with a default, stderr + sys.exit, a comment saying why, a suppression naming the rule', async () => {
    const src = [
      'import json',
      'import os',
      'import sys',
      '',
      'def read_state(path):',
      '    try:',
      '        with open(path) as fh:',
      '            return json.load(fh)',
      '    except FileNotFoundError:',
      '        return {}',
      '',
      'def header(headers, name):',
      '    try:',
      '        return headers[name.lower()]',
      '    except (KeyError, IndexError):',
      '        return None',
      '',
      'def main():',
      '    try:',
      '        config = load(sys.argv[1])',
      '    except ValueError:',
      '        print("invalid configuration file", file=sys.stderr)',
      '        sys.exit(2)',
      '    try:',
      '        os.remove(config.pidfile)',
      '    except OSError:',
      '        # the pid file may already be gone: the supervisor removes it on stop',
      '        pass',
      '    try:',
      '        config.flush()',
      '    except Exception:',
      '        pass',
      '    try:',
      '        config.flush()',
      '    except Exception:  # noqa: BLE001',
      '        pass',
      '    try:',
      '        config.flush()',
      '    except ValueError:',
      '        return None',
      '',
    ].join('\n');
    // 35 names BLE001 (blind except) in its suppression: acknowledged; 39 names the error it expects
    assert.deepEqual(await lines('app/state.py', src, R), [31]);
  });

  it('Go: WalkDir callbacks skipping unreadable entries, errors.Is expected errors, a commented fallback', async () => {
    const src = [
      'package scan',
      '',
      'import (',
      '\t"errors"',
      '\t"io/fs"',
      '\t"os"',
      '\t"path/filepath"',
      ')',
      '',
      'func Sources(root string) ([]string, error) {',
      '\tvar out []string',
      '\terr := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {',
      '\t\tif err != nil {',
      '\t\t\treturn nil',
      '\t\t}',
      '\t\tif d.IsDir() && d.Name() == "node_modules" {',
      '\t\t\treturn fs.SkipDir',
      '\t\t}',
      '\t\tout = append(out, path)',
      '\t\treturn nil',
      '\t})',
      '\treturn out, err',
      '}',
      '',
      'func Override(p string) ([]byte, error) {',
      '\tb, err := os.ReadFile(p)',
      '\tif errors.Is(err, fs.ErrNotExist) {',
      '\t\treturn nil, nil',
      '\t}',
      '\treturn b, err',
      '}',
      '',
      'func Optional(p string) *Config {',
      '\tc, err := parse(p)',
      '\tif err != nil {',
      '\t\t// a missing or unreadable override file means "no override"',
      '\t\treturn nil',
      '\t}',
      '\treturn c',
      '}',
      '',
      'func Save(p string, b []byte) error {',
      '\terr := os.WriteFile(p, b, 0o644)',
      '\tif err != nil {',
      '\t\treturn nil',
      '\t}',
      '\treturn nil',
      '}',
      '',
    ].join('\n');
    const found = await findings('scan/sources.go', src, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [44],
    );
    assert.equal(found[0].message, '`if err != nil` returns nil instead of err: the caller sees success, nothing is logged, and no comment says why');
  });

  it('Go: `_ = err` after an I/O call is a finding naming the call, unless a comment says why', async () => {
    const src = [
      'package store',
      '',
      'import "os"',
      '',
      'func Reset(dir, tmp string) {',
      '\tf, err := os.Create(dir + "/lock")',
      '\t_ = err',
      '\terr = os.Remove(tmp)',
      '\t_ = err // the temp file may already be gone: the janitor removes it too',
      '\t_ = f',
      '}',
      '',
    ].join('\n');
    const found = await findings('store/reset.go', src, R);
    assert.deepEqual(
      found.map((f) => [f.line, f.message]),
      [[7, '`_ = err` discards the error of os.Create: nothing logs or returns it, and no comment says why']],
    );
  });

  it('parse-or-default helpers (the try only returns one parse of its input, the handler a constant); an I/O fallback stays a finding', async () => {
    const ts = [
      'export function parseState(state: string): OAuthState | undefined {',
      '  try {',
      '    return JSON.parse(state);',
      '  } catch {',
      '    return undefined;',
      '  }',
      '}',
      'export const hostOf = (u: string) => { try { return new URL(u).host; } catch { return null; } };',
      'export async function findUser(id: string) {',
      '  try { return await users.findByPk(id); } catch { return null; }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/utils/parse.ts', ts, R), [10]);
    const py = [
      'import json',
      'def port(value):',
      '    try:',
      '        return int(value)',
      '    except ValueError:',
      '        return None',
      'def fetch_id(client, path):',
      '    try:',
      '        return client.get(path)["id"]',
      '    except Exception:',
      '        return None',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/parse.py', py, R), [10]);
    const java = 'class Ports {\n  static int of(String s) { try { return Integer.parseInt(s); } catch (NumberFormatException e) { return -1; } }\n}\n';
    assert.deepEqual(await lines('src/main/java/app/Ports.java', java, R), []);
  });

  it('each finding says in one line why it is one', async () => {
    const src = 'export function f() {\n  try { a(); } catch {}\n  try { return a(); } catch (e) { return null; }\n  p.catch(() => null);\n}\n';
    const found = await findings('src/f.ts', src, R);
    const doubt = ' (low confidence: dropping an error here is often a deliberate best effort)';
    assert.deepEqual(
      found.map((f) => f.message),
      [
        `empty catch swallows the error: nothing logs or rethrows it, and no comment says why${doubt}`,
        `catch falls back without logging or rethrowing the error, and no comment says why${doubt}`,
        `.catch() replaces the error with a fallback without logging it, and no comment says why${doubt}`,
      ],
    );
    for (const f of found) assert.doesNotMatch(f.message, /\n/);
  });
});
