import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretName } from '../../../../src/core/analysis/rules/secretInLog';
import { lines } from './support';

const R = 'secret-in-log';

describe('secret-in-log', () => {
  it('classifies names', () => {
    for (const n of ['password', 'dbPassword', 'api_key', 'apiKey', 'X-Api-Key', 'authorization', 'sessionCookie', 'accessToken', 'client_secret', 'JWT']) assert.ok(isSecretName(n), n);
    for (const n of ['nextPageToken', 'maxTokens', 'tokenizer', 'hasPassword', 'isToken', 'username', 'passwordPolicy', 'tokenCount']) assert.ok(!isSecretName(n), n);
  });

  it('JS: flags secrets in logger arguments, objects and templates; not lengths, masks or plain words', async () => {
    const src = [
      "console.log('login', { user, password });",
      'logger.info(`auth ${req.headers.authorization}`);',
      "log.debug({ apiKey: key }, 'calling');",
      "console.log('token length', token.length);",
      "logger.info('token', mask(token));",
      "logger.info('password reset sent');",
      "logger.info({ token: '***' });",
      'metrics.record(password);',
    ].join('\n');
    assert.deepEqual(await lines('src/a.ts', src, R), [1, 2, 3]);
  });

  it('Python: flags f-strings, %-args and extra dicts', async () => {
    const src = [
      'import logging',
      'log = logging.getLogger(__name__)',
      'log.info(f"auth {headers[\'Authorization\']}")',
      'log.info("login %s %s", user, password)',
      'logging.warning("call", extra={"api_key": key})',
      'log.info("user %s", user.name)',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/a.py', src, R), [3, 4, 5]);
  });

  it('Go: slog/zap key-values and fields; Java: SLF4J placeholders', async () => {
    const go = 'package p\nfunc f() {\n\tslog.Info("auth", "token", cfg.Token)\n\tzap.L().Info("call", zap.String("secret", secret))\n\tlog.Printf("user %s", u.Name)\n}\n';
    assert.deepEqual(await lines('p/f.go', go, R), [3, 4]);
    const java = 'class A { void m() { LOG.info("user {} password {}", user, password); LOG.info("user {}", user); } }';
    assert.deepEqual(await lines('A.java', java, R), [1]);
  });
});
