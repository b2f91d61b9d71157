import type { Node } from 'web-tree-sitter';
import { argumentsOf, calleeSegments } from '../syntax';
import type { Rule } from './context';

/** Names of values that must not reach a log (compared lower-case without `_`/`-`). */
const SECRET_SUFFIX = /(password|passwd|passphrase|pwd|secret|token|apikey|authorization|authheader|cookie|sessionid|sessionkey|privatekey|secretkey|accesskey|credentials?|jwt|bearer)$/;
/** Names ending like a secret that are not one. */
const NOT_SECRET =
  /(pagetoken|nexttoken|continuationtoken|cursortoken|csrftokenname|tokentype|tokenizer|maxtokens?|numtokens?|tokencount|nocookie|cookiename|passwordpolicy|passwordlength|haspassword|hastoken|istoken)$|^(is|has|should|needs|with|use)[a-z]/;
/** Wrappers that make a value safe to log. */
const SANITIZERS = /redact|mask|hash|sha\d*|digest|censor|obfuscate|truncate|len|length|count|bool|exists|has|type|typeof/i;

/** Whether a name (identifier, property, key) names a secret. */
export function isSecretName(name: string): boolean {
  const raw = name.replace(/^["'`]|["'`]$/g, '');
  const n = raw.toLowerCase().replace(/[_\-\s]/g, '');
  if (!SECRET_SUFFIX.test(n)) return false;
  // `isToken`, `hasPassword`: a camelCase/snake flag about the secret, not the secret
  if (/^(is|has|should|needs|with|use)([A-Z_]|$)/.test(raw)) return false;
  return !NOT_SECRET.test(n);
}

const LEAF_TYPES = ['identifier', 'property_identifier', 'field_identifier', 'shorthand_property_identifier'];

/** `secret-in-log`: a log call that writes a value named like a password, token, key, auth header or cookie. */
export const secretInLog: Rule = {
  id: 'secret-in-log',
  languages: ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'],
  check(ctx) {
    let outer: { startIndex: number; endIndex: number } | null = null;
    for (const call of ctx.calls()) {
      if (!ctx.isLogCallee(call.segments)) continue;
      // `zap.String(...)` inside `logger.Info(...)` is part of the outer call, not a second one
      if (outer && call.node.startIndex < outer.endIndex && call.node.startIndex >= outer.startIndex) continue;
      outer = call.node;
      const hit = argumentsOf(call.node)
        .map((a) => findSecret(a))
        .find((n) => n !== null);
      if (hit) ctx.report('secret-in-log', call.node, `log call writes ${hit}`);
    }
  },
};

/** The first secret-named value an argument writes, skipping sanitizer calls, flags and plain strings. */
function findSecret(node: Node): string | null {
  switch (node.type) {
    case 'string':
    case 'string_literal':
    case 'interpreted_string_literal':
    case 'string_fragment':
    case 'string_content':
      if (node.type === 'string' && node.namedChildren.some((c) => c?.type === 'interpolation')) break;
      return null;
    case 'call_expression':
    case 'call':
    case 'method_invocation': {
      const segs = calleeSegments(node);
      if (SANITIZERS.test(segs[segs.length - 1])) return null;
      break;
    }
    case 'unary_expression':
    case 'not_operator':
      if (/^(!|not|typeof)/.test(node.text)) return null;
      break;
    case 'ternary_expression':
    case 'conditional_expression': {
      const branches = node.namedChildren.slice(1).filter((c): c is Node => c !== null);
      for (const b of branches) {
        const s = findSecret(b);
        if (s) return s;
      }
      return null;
    }
    case 'pair': {
      // `{ token: t }` logs t under a secret key; `{ token: '***' }` does not
      const key = node.childForFieldName('key');
      const value = node.childForFieldName('value');
      if (key && value && isSecretName(key.text) && !/string|number|integer|true|false|null|none/.test(value.type)) return key.text.replace(/^["']|["']$/g, '');
      return value ? findSecret(value) : null;
    }
    case 'keyword_argument': {
      const value = node.childForFieldName('value');
      const name = node.childForFieldName('name')?.text ?? '';
      if (value && isSecretName(name) && !/string|integer|true|false|none/.test(value.type)) return name;
      return value ? findSecret(value) : null;
    }
    case 'member_expression':
    case 'attribute':
    case 'selector_expression':
    case 'field_access': {
      const prop = node.childForFieldName('property') ?? node.childForFieldName('attribute') ?? node.childForFieldName('field');
      if (prop && isSecretName(prop.text)) return node.text;
      return null; // `token.length`, `user.name`: the last part decides
    }
    case 'subscript_expression':
    case 'subscript': {
      const index = node.childForFieldName('index') ?? node.childForFieldName('subscript');
      if (index && isSecretName(index.text)) return node.text;
      return null;
    }
    default:
      if (LEAF_TYPES.includes(node.type)) return isSecretName(node.text) ? node.text : null;
  }
  for (const c of node.namedChildren) {
    if (!c) continue;
    const s = findSecret(c);
    if (s) return s;
  }
  return null;
}
