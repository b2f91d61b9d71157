/**
 * Runtime function names (stack frames, code.function) turned into the name the source gives the
 * function a user reads: closures fold into the named function that encloses them, and package
 * or module qualifiers go, so `main.price.func1`, `com.acme.ShopController.lambda$inventory$0`
 * and `outer.<locals>.helper` read `price`, `ShopController.inventory` and `outer`. The result is
 * shaped like FunctionDef.qualifiedName (`Type.method` or `name`), so it can be looked up in the
 * index; '' means the name says nothing usable (an anonymous function, module top level), and the
 * caller names the location by FunctionIndex.enclosingNamed instead.
 */

type Family = 'go' | 'java' | 'python' | 'js' | 'other';

// telemetry.sdk.language values and SourceLanguage values alike; a Map because the language is telemetry.
const FAMILIES = new Map<string, Family>([
  ['go', 'go'],
  ['java', 'java'],
  ['kotlin', 'java'],
  ['scala', 'java'],
  ['python', 'python'],
  ['nodejs', 'js'],
  ['webjs', 'js'],
  ['js', 'js'],
]);

function familyOf(language: string): Family {
  return FAMILIES.get(language.toLowerCase()) ?? 'other';
}

/** The source name of a runtime function name; `language` is telemetry.sdk.language or a SourceLanguage. */
export function foldClosureName(name: string, language: string): string {
  const trimmed = name.trim();
  switch (familyOf(language)) {
    case 'go':
      return foldGo(trimmed).name;
    case 'java':
      return foldJava(trimmed).name;
    case 'python':
      return foldPython(trimmed).name;
    case 'js':
      return foldJs(trimmed).name;
    default:
      return trimmed;
  }
}

/** True when the runtime name is that of a closure, lambda or anonymous function (its location belongs to an enclosing function). */
export function isClosureName(name: string, language: string): boolean {
  const trimmed = name.trim();
  switch (familyOf(language)) {
    case 'go':
      return foldGo(trimmed).closure;
    case 'java':
      return foldJava(trimmed).closure;
    case 'python':
      return foldPython(trimmed).closure;
    case 'js':
      return foldJs(trimmed).closure;
    default:
      return false;
  }
}

interface Folded {
  name: string;
  closure: boolean;
}

// Go names closures by numbering them under their function: func1, func1.2 (the second closure
// inside the first), deferwrap1 / gowrap1 (the wrappers of `defer f(x)` / `go f(x)`, Go 1.21+).
const GO_CLOSURE_PART = /^(?:func\d+|\d+|deferwrap\d+|gowrap\d+)$/;

// `pkg/path/name.fn.func1`, `pkg.(*T).m.func1`, `pkg.T[...].m`, and when the function holding the
// closure was inlined, `pkg.caller.fn.func1` (the runtime prefixes the function it was inlined into).
function foldGo(name: string): Folded {
  const plain = name.replace(/\[[^\]]*\]/g, '');
  const slash = plain.lastIndexOf('/', plain.indexOf('(') === -1 ? plain.length : plain.indexOf('('));
  const dot = plain.indexOf('.', slash + 1);
  const rest = dot === -1 ? plain : plain.slice(dot + 1);
  const parts = rest.split('.');
  let keep = parts.length;
  while (keep > 0 && (GO_CLOSURE_PART.test(parts[keep - 1]) || parts[keep - 1] === '')) keep--;
  const closure = keep < parts.length;
  const named = parts.slice(0, keep);
  // Package-level var initializers hold their closures in a pseudo function `glob.`.
  if (named.length === 0 || (closure && named.length === 1 && named[0] === 'glob')) return { name: '', closure };
  const fn = named[named.length - 1];
  const before = named.length > 1 ? named[named.length - 2] : '';
  const pointer = /^\(\*?([\w$]+)\)$/.exec(before);
  if (pointer) return { name: `${pointer[1]}.${fn}`, closure };
  // `pkg.T.m` (value receiver) and `pkg.caller.fn.func1` (inlined) read alike; exported type
  // names are capitalized and functions inlined into are usually not, so the case decides.
  if (before !== '' && /^[A-Z]/.test(before)) return { name: `${before}.${fn}`, closure };
  return { name: fn, closure };
}

// javac names a lambda's body `lambda$<enclosing method>$<n>` (`lambda$static$0` in a static
// initializer, `lambda$new$0` in a constructor); Kotlin names a lambda's class `Outer$fn$1`.
const JAVA_LAMBDA = /^lambda\$([\w]+)\$\d+$/;

function foldJava(name: string): Folded {
  const paren = name.indexOf('(');
  const full = paren === -1 ? name : name.slice(0, paren);
  const lastDot = full.lastIndexOf('.');
  if (lastDot === -1) return foldJavaMethod('', full);
  const className = full.slice(0, lastDot);
  const method = full.slice(lastDot + 1);
  // Drop the package: its segments start lowercase, class names do not (by convention only, so
  // a lowercase class name keeps the rest of the chain).
  const segments = className.split('.');
  let first = 0;
  while (first < segments.length - 1 && /^[a-z_]/.test(segments[first])) first++;
  return foldJavaMethod(segments.slice(first).join('.'), method);
}

function foldJavaMethod(className: string, method: string): Folded {
  // Hidden classes of lambdas and method references (`Foo$$Lambda$14/0x...`, `Foo$$Lambda/0x...`) say nothing of where.
  if (className.includes('$$Lambda')) return { name: '', closure: true };
  const nested = className.split('$');
  const outer = nested[0];
  let closure = false;
  let cls = nested[nested.length - 1];
  let fn = method;
  // Anonymous classes (`Outer$1`) and Kotlin lambda classes (`Outer$inventory$1`) sit inside a method.
  if (nested.length > 1 && /^\d+$/.test(cls)) {
    closure = true;
    const kotlinFn = nested.length > 2 ? nested[nested.length - 2] : '';
    if (kotlinFn !== '' && /^[a-z_]/.test(kotlinFn)) return { name: qualify(outer, kotlinFn), closure };
    return { name: '', closure };
  }
  const lambda = JAVA_LAMBDA.exec(method);
  if (lambda) {
    closure = true;
    fn = lambda[1] === 'new' ? outer : lambda[1];
    // `static` (an initializer) names no method; `null` is javac 8's name for a lambda inside a lambda.
    if (lambda[1] === 'static' || lambda[1] === 'null') return { name: '', closure };
    cls = nested.length > 1 ? cls : outer;
  }
  if (fn === '<init>') fn = cls;
  if (fn === '<clinit>') return { name: '', closure: false };
  return { name: qualify(cls, fn), closure };
}

function qualify(cls: string, fn: string): string {
  return cls ? `${cls}.${fn}` : fn;
}

// Comprehensions, lambdas and module code have no name of their own; `<locals>` appears in
// qualified names (co_qualname, Python 3.11+ loggers and profilers): what precedes it encloses.
const PY_ANONYMOUS = /^<(?:lambda|listcomp|dictcomp|setcomp|genexpr|module)>$/;

function foldPython(name: string): Folded {
  const locals = name.indexOf('.<locals>.');
  if (locals !== -1) {
    const outer = name.slice(0, locals);
    return { name: PY_ANONYMOUS.test(outer) ? '' : outer, closure: true };
  }
  if (PY_ANONYMOUS.test(name)) return { name: '', closure: name !== '<module>' };
  return { name, closure: false };
}

// V8 calls module top-level code `Object.<anonymous>` (CommonJS) and names methods called on a
// plain object `Object.fn`; exports assignments read `exports.fn`. Gecko names anonymous inner
// functions `outer/<` and `outer/inner`.
function foldJs(name: string): Folded {
  if (name === '' || name === '<anonymous>' || name.endsWith('.<anonymous>')) return { name: '', closure: name !== 'Object.<anonymous>' };
  const slash = name.indexOf('/');
  if (slash > 0) return { name: name.slice(0, slash), closure: true };
  const m = /^(?:Object|exports|module\.exports)\.([\w$]+)$/.exec(name);
  return { name: m ? m[1] : name, closure: false };
}
