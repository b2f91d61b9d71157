import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeSpan, iconSafe, markdownText, plainText, terminalCell, terminalJson, terminalText } from '../../../src/core/render/escape';
import { HOSTILE_MESSAGE, HOSTILE_NAME, HOSTILE_REVISION, labelIcons, markdownIcons, UNSAFE_CHARS } from '../../support/hostileText';

const SAMPLES = [HOSTILE_NAME, HOSTILE_MESSAGE, HOSTILE_REVISION, '$(x) \\$(y) \\\\$(z)', '1. item', '- item', '> quote', '    code', '&lt;img&gt;', 'a|b', '`tick`', ''];

test('markdownText: every ASCII punctuation character is escaped, `$` is an entity, all on one line', () => {
  for (const sample of SAMPLES) {
    const out = markdownText(sample);
    assert.doesNotMatch(out, /\n|\r/);
    assert.doesNotMatch(out, UNSAFE_CHARS);
    // Outside entities, punctuation only ever follows a backslash (CommonMark then shows it literally).
    const withoutEscapes = out.replace(/&#36;/g, '').replace(/\\[!-/:-@[-`{-~]/g, '');
    assert.doesNotMatch(withoutEscapes, /[!-/:-@[-`{-~]/, `${JSON.stringify(sample)} -> ${out}`);
    assert.deepEqual(markdownIcons(out, []), [], out);
  }
  assert.equal(markdownText('a|b\n$(x) [y]'), 'a\\|b &#36;\\(x\\) \\[y\\]');
});

test('codeSpan: a fence longer than any backtick run, on one line; icon syntax falls back to escaped text', () => {
  assert.equal(codeSpan('v1.2.3'), '`v1.2.3`');
  assert.equal(codeSpan('a`b'), '``a`b``');
  assert.equal(codeSpan('a``b```c'), '````a``b```c````');
  assert.equal(codeSpan('`x'), '`` `x ``');
  assert.equal(codeSpan('a\n\nb'), '`a  b`');
  assert.equal(codeSpan(''), '');
  assert.equal(codeSpan('$(bell)'), '&#36;\\(bell\\)');
  assert.doesNotMatch(codeSpan(HOSTILE_REVISION), /\n/);
});

test('iconSafe: theme icon syntax is escaped the way VS Code reads a literal, controls dropped', () => {
  assert.equal(iconSafe('prod $(bell) x'), 'prod \\$(bell) x');
  for (const sample of SAMPLES) {
    const out = iconSafe(sample);
    assert.deepEqual(labelIcons(out, []), [], out);
    assert.doesNotMatch(out, UNSAFE_CHARS);
    assert.doesNotMatch(out, /\n/);
  }
});

test('plainText: one line, no C0, DEL, C1 or bidi characters', () => {
  assert.equal(plainText('a\r\nb\tc\u2028d\u0085e'), 'a b c d e');
  assert.equal(plainText('x\u001b[2Jy\u009b31mz\u202eq\u2066w\u200fe\u007f'), 'x[2Jy31mzqwe');
});

test('terminalText and terminalCell: escape sequences, CR, BEL, C1 and bidi never reach a terminal', () => {
  const attacks = [
    '\u001b]52;c;ZXZpbA==\u0007', // clipboard write (OSC 52)
    '\u001b]0;pwned\u0007', // window title
    '\u001b[2J', // clear screen
    '\u001b[8m', // hidden text that stays on
    '\u009b31m', // C1 CSI
    '\u009d0;t\u009c', // C1 OSC ... ST
    '\u202eexe.gnp', // right-to-left override
    'ok\rfake', // carriage return overwrites the line
  ];
  for (const attack of attacks) {
    assert.doesNotMatch(terminalText(attack), UNSAFE_CHARS, JSON.stringify(attack));
    assert.doesNotMatch(terminalText(attack), /\r/);
    assert.doesNotMatch(terminalCell(attack), UNSAFE_CHARS, JSON.stringify(attack));
  }
  assert.equal(terminalText('line 1\n\tline 2\r\n'), 'line 1\n\tline 2\n');
  assert.equal(terminalCell('a\nb\tc'), 'a b c');
});

test('terminalJson: the same value, with C1 and bidi characters written as escapes', () => {
  const value = { name: HOSTILE_NAME, n: 1 };
  const out = terminalJson(value);
  assert.doesNotMatch(out, UNSAFE_CHARS);
  assert.deepEqual(JSON.parse(out), value);
  assert.match(out, /\\u009b/);
  assert.match(out, /\\u202e/);
});
