// swallowed-error precision on Python and Java (issue 11 §1/§2): the idioms the labelled corpus
// (bench/analysis/labels) marks as false positives. Snippets are written for these tests, shaped like
// the labelled code (API clients, config loaders, URLConnection adapters, model loaders); each test
// also keeps a true-positive shape from the labels as a finding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { at, lines } from './support';

const R = 'swallowed-error';

describe('swallowed-error: Python and Java idioms a reviewer accepts', () => {
  it("comments: on the pass line, a comment block above the handler, above the try when it names the failure; any comment but a TODO in an empty handler (ESLint no-empty's convention)", async () => {
    // broad handlers, so that only the comments decide (a narrow type is an expected failure on its own)
    const py = [
      'import json',
      'def pretty(body):',
      '    try:',
      '        data = json_prefixed(body)',
      '    except Exception:',
      '        pass  # Malformed payload, leave as is.',
      '    try:',
      '        rows = fetch_rows(engine)',
      '    # some drivers raise ProgrammingError',
      '    # for a table without rows',
      '    except Exception:',
      '        rows = []',
      '    # the cache may not exist yet: a miss is fine',
      '    try:',
      '        warm(cache)',
      '    except Exception:',
      '        pass',
      '    # warm the cache before serving',
      '    try:',
      '        warm(cache, "what-only")',
      '    except Exception:',
      '        pass',
      '    try:',
      '        warm(cache)',
      '    except Exception:',
      '        pass  # ignore',
      '    try:',
      '        warm(cache, "todo")',
      '    except Exception:',
      '        pass  # TODO: log this',
      '    try:',
      '        rows = fetch_rows(engine, "one-word")',
      '    except Exception:',
      '        rows = []  # empty',
      '    return data, rows',
    ].join('\n');
    // a fallback (not an empty handler) needs a comment that says why: `# empty` does not
    assert.deepEqual(await lines('app/pretty.py', py, R), [at(py, 'what-only') + 1, at(py, '"todo"') + 1, at(py, 'one-word') + 1]);
    const java = [
      'class Agent {',
      '  String version() {',
      '    String v = null;',
      '    try { v = VersionInfo.load("client"); } catch (Exception e) {',
      '      // Keep unknown',
      '    }',
      '    try { v = VersionInfo.load("client"); } catch (Exception e) {',
      '      // ignore: the class loader may hide the properties file',
      '    }',
      '    try { v = VersionInfo.load("client"); } catch (Exception e) { // NOPMD - the version is best effort',
      '    }',
      '    try { v = VersionInfo.load("client"); } catch (Exception e) {',
      '      // ignore',
      '    }',
      '    try { v = VersionInfo.load("client"); } catch (Exception e) {',
      '      // no-op',
      '    }',
      '    try { v = VersionInfo.load("todo"); } catch (Exception e) {',
      '      // TODO decide',
      '    }',
      '    try { v = VersionInfo.load("reset"); } catch (Exception e) {',
      '      v = null; // reset',
      '    }',
      '    return v;',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Agent.java', java, R), [at(java, '"todo"'), at(java, '"reset"')]);
  });

  it('a log call right after the try reports the failure; an empty catch with nothing after stays a finding', async () => {
    const java = [
      'class Enums {',
      '  private static final Logger LOGGER = Logger.getLogger(Enums.class.getName());',
      '  static <E extends Enum<E>> E parse(Class<E> type, String value, E fallback) {',
      '    try {',
      '      if (value != null) return Enum.valueOf(type, value.toUpperCase());',
      '    } catch (IllegalArgumentException e) {',
      '    }',
      '    LOGGER.warning("unknown value " + value + ", using " + fallback);',
      '    return fallback;',
      '  }',
      '  void fill(Repo[] repos, Client client) {',
      '    for (Repo r : repos) {',
      '      try { r.attach(client.owner(r.name, "fill")); } catch (IOException e) {',
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Enums.java', java, R), [at(java, '"fill"')]);
  });

  it('contract returns: *OrNull/opt*/*_or_none names, predicates and Optional returns for narrow types, documented fallbacks, inherited URLConnection contracts', async () => {
    const py = [
      'from typing import Optional',
      'class Client:',
      '    def find_user_or_none(self, login):',
      '        try:',
      '            return self._get(f"/users/{login}")',
      '        except Exception:',
      '            return None',
      '    def is_supported(self, where) -> bool:',
      '        try:',
      '            return Location.parse_name(where) in SUPPORTED',
      '        except UnknownLocation:',
      '            return False',
      '    def permission(self, repo) -> Optional[Permission]:',
      '        try:',
      '            return Permission(self._get(f"/repos/{repo}/permission"))',
      '        except Forbidden:',
      '            return None',
      '    def is_healthy(self) -> bool:',
      '        try:',
      '            return self._get("/health")["ok"]',
      '        except Exception:  # BROAD-PREDICATE',
      '            return False',
      '    def version(self):',
      '        """The server version, or "unknown" if the server does not answer."""',
      '        try:',
      '            self._version = self._get("/version")["version"]',
      '        except Exception:',
      '            self._version = "unknown"',
      '        return self._version',
      '    def query(self, q):',
      '        """Returns None for a bad token, or the result."""',
      '        try:',
      '            js = json.loads(self._post(q).text)',
      '            return js',
      '        except Exception:  # JAGUAR',
      '            return {}',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/client.py', py, R), [at(py, 'BROAD-PREDICATE'), at(py, 'JAGUAR')]);
    const java = [
      'class Responses extends HttpURLConnection {',
      '  static String bodyOrNull(Response r) {',
      '    try {',
      '      return r.bodyString();',
      '    } catch (IOException e) {',
      '    }',
      '    return null;',
      '  }',
      '  public Object opt(String key) {',
      '    try { return get(key); } catch (JsonException e) { return null; }',
      '  }',
      '  @Override',
      '  public InputStream getErrorStream() {',
      '    try { return response().errorBody(); } catch (IOException e) { return null; }',
      '  }',
      '  public boolean hasMember(User u) {',
      '    try { client.send("/members/" + u.login()); return true; } catch (IOException e) { return false; }',
      '  }',
      '  String readName(Path p) {',
      '    try { return Files.readString(p); } catch (IOException e) { return null; } // READNAME',
      '  }',
      '  @Override',
      '  public String getLogin() {',
      '    try { login = client.me("login").login(); } catch (IOException e) {',
      '    }',
      '    return login;',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Responses.java', java, R), [at(java, 'READNAME'), at(java, '"login"')]);
  });

  it('optional configuration: NoOptionError/NoSectionError, or a narrow handler around config.get(section, option) reads', async () => {
    const py = [
      'import configparser',
      'CONFIG_ERRORS = (configparser.NoOptionError, configparser.NoSectionError)',
      'class Settings:',
      '    def load(self, cfg, name):',
      '        try:',
      '            self.token = cfg.get(name, "token")',
      '        except (configparser.NoOptionError, configparser.NoSectionError):',
      '            pass',
      '        try:',
      '            self.timeout = cfg.getint(name, "timeout")',
      '        except CONFIG_ERRORS:',
      '            pass',
      '        try:',
      '            self.retries = cfg.getint(name, "retries")',
      '        except Exception:',
      '            pass',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/settings.py', py, R), [at(py, '"retries"') + 1]);
  });

  it('fallback chains: loader A then loader B, another input, another implementation; a retry of the same call stays a finding', async () => {
    const py = [
      'import socket',
      'def load(model_id, **kw):',
      '    try:',
      '        tok = FastTokenizer.from_pretrained(model_id, **kw)',
      '    except Exception:',
      '        tok = SlowTokenizer.from_pretrained(model_id, **kw)',
      '    try:',
      '        ip = socket.gethostbyname(socket.gethostname())',
      '    except Exception:',
      '        ip = socket.gethostbyname("localhost")',
      '    try:',
      '        data = fetch(model_id)',
      '    except Exception:  # AGAIN',
      '        data = fetch(model_id)',
      '    return tok, ip, data',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/load.py', py, R), [at(py, 'AGAIN')]);
    const java = [
      'class Dispatch {',
      '  static Executor get(Request req) {',
      '    try {',
      '      return modernCtor.newInstance(req);',
      '    } catch (Exception e) {',
      '      return new LegacyExecutor(req);',
      '    }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Dispatch.java', java, R), []);
  });

  it('closing quietly: close()/shutdown() in a handler ignoring IOException/OSError; Exception around it stays a finding', async () => {
    const java = [
      'class Body implements Closeable {',
      '  public void close() {',
      '    try { stream.close(); } catch (IOException e) { }',
      '    try { IOUtils.closeQuietly(conn.getInputStream()); } catch (IOException e) { }',
      '    try { broadStream.close(); } catch (Exception e) { }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Body.java', java, R), [at(java, 'broadStream')]);
    const py = ['def stop(sock):', '    try:', '        sock.shutdown(2)', '        sock.close()', '    except OSError:', '        pass', ''].join('\n');
    assert.deepEqual(await lines('app/stop.py', py, R), []);
  });

  it('probing: Class.forName, EOF on an empty body, *NotFound/DoesNotExist lookups, attribute probes, a kept default, queue.Empty, KeyboardInterrupt', async () => {
    const java = [
      'class Runtimes {',
      '  static String field(String cls, String name) {',
      '    Class<?> c;',
      '    try { c = Class.forName(cls); } catch (ClassNotFoundException e) { return null; }',
      '    try { return (String) c.getField(name).get(null); } catch (NoSuchFieldException e) { return null; }',
      '  }',
      '  Object remove(int i) {',
      '    try { return items.remove(i); } catch (IndexOutOfBoundsException e) { return null; }',
      '  }',
      '  InputStream body(InputStream raw) {',
      '    try { return new GZIPInputStream(raw); } catch (EOFException e) { return new ByteArrayInputStream(new byte[0]); }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Runtimes.java', java, R), []);
    const py = [
      'import curses, queue',
      'from pygments.util import ClassNotFound',
      'def style(name):',
      '    try:',
      '        return get_style_by_name(name)',
      '    except ClassNotFound:',
      '        return DefaultStyle',
      'def user(pk):',
      '    try:',
      '        return User.objects.get(pk=pk)',
      '    except User.DoesNotExist:',
      '        return None',
      'def usage(generation):',
      '    try:',
      '        meta = generation.message.usage_metadata',
      '        extra = generation.message.response_metadata',
      '    except AttributeError:',
      '        meta = None',
      '        extra = None',
      '    return meta, extra',
      'def palette():',
      '    colors = 8',
      '    try:',
      '        curses.setupterm()',
      '        colors = curses.tigetnum("colors")',
      '    except curses.error:',
      '        pass',
      '    return colors',
      'def drain(q, out):',
      '    while not q.empty():',
      '        try:',
      '            out.append(q.get_nowait())',
      '        except queue.Empty:',
      '            continue',
      'def main():',
      '    try:',
      '        status = run()',
      '    except KeyboardInterrupt:',
      '        status = 130',
      '    return status',
      'def ocr(content):',
      '    text = ""',
      '    try:',
      '        images = convert_from_bytes(content)',
      '    except Exception:',
      '        return text',
      '    return images',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/probe.py', py, R), [at(py, 'convert_from_bytes') + 1]);
  });

  it('parse probes: ValueError around int()/strptime()/.json(), JSONDecodeError, NumberFormatException, try/except/else', async () => {
    const py = [
      'import json',
      'from datetime import datetime',
      'def split_version(v):',
      '    parts = []',
      '    for p in v.split("."):',
      '        try:',
      '            parts.append(int(p))',
      '        except ValueError:',
      '            break',
      '    return parts',
      'def normalise(meta):',
      '    for k, v in meta.items():',
      '        try:',
      '            meta[k] = datetime.strptime(v, "D:%Y%m%d").isoformat()',
      '        except ValueError:',
      '            meta[k] = v',
      'def stream(lines):',
      '    for line in lines:',
      '        try:',
      '            chunk = json.loads(line)',
      '        except json.JSONDecodeError:',
      '            continue',
      '        yield chunk',
      'def body(response):',
      '    if response.status_code == 200:',
      '        try:',
      '            return response.json()',
      '        except ValueError:',
      '            pass',
      '    return response',
      'def theme(name):',
      '    try:',
      '        PieStyle(name)',
      '    except ValueError:',
      '        style = "ansi"',
      '    else:',
      '        style = "pie"',
      '    return style',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/parse.py', py, R), []);
    const java = [
      'class Refs {',
      '  int codePoint(String ref, boolean hex) {',
      '    int value = -1;',
      '    try {',
      '      value = Integer.valueOf(ref, hex ? 16 : 10);',
      '    } catch (NumberFormatException ignored) {',
      '      // skip',
      '    }',
      '    return value;',
      '  }',
      '  public long headerLong(String name, long fallback) {',
      '    String v = header(name);',
      '    try {',
      '      return Long.parseLong(v);',
      '    } catch (Exception e) {',
      '    }',
      '    return fallback;',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Refs.java', java, R), []);
  });

  it('detail for an error report being made: an exception constructor, a method building an exception, a log-message lambda; data-only lookups', async () => {
    const py = [
      'class ApiError(HTTPError):',
      '    def __init__(self, response):',
      '        try:',
      '            message = response.json()["detail"]',
      '        except Exception:',
      '            message = response.text',
      '        self.message = message',
      'def rows(issues):',
      '    for issue in issues:',
      '        try:',
      '            who = issue["fields"]["assignee"]["displayName"]',
      '        except Exception:',
      '            who = "nobody"',
      '        try:',
      '            who = lookup(issue["key"])',
      '        except Exception:  # CALLS',
      '            who = "nobody"',
      '        yield who',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/errors.py', py, R), [at(py, '# CALLS')]);
    const java = [
      'class Errors {',
      '  private static final Logger LOGGER = Logger.getLogger("http");',
      '  static HttpException errorStatus(Response response) {',
      '    byte[] body = {};',
      '    try { body = response.body().bytes(); } catch (IOException e) { }',
      '    return new HttpException(response.status(), body);',
      '  }',
      '  void logBody(Response response) {',
      '    LOGGER.log(FINEST, () -> {',
      '      String body;',
      '      try { body = response.bodyString(); } catch (Throwable e) { body = "unreadable body"; }',
      '      return body;',
      '    });',
      '    try { cache.put(response.bodyString("void")); } catch (IOException e) { }',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/app/Errors.java', java, R), [at(java, '"void"')]);
  });
});
