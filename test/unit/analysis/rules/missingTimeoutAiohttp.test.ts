import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fixAt, lines } from './support';

const R = 'missing-timeout';

describe('missing-timeout: aiohttp', () => {
  it("does not flag a ClientSession without ClientTimeout: aiohttp's default is total=300 s, sock_connect=30 s", async () => {
    // the shape of langchain-community 0.4.1 utilities/searx_search.py and embeddings/nemo.py (bench labels: fp)
    const src = [
      'import asyncio',
      'from typing import Dict',
      'import aiohttp',
      'from aiohttp import ClientSession',
      'class SearxSearchWrapper:',
      '    async def _asearx_api_query(self, params: dict):',
      '        if not self.aiosession:',
      '            async with aiohttp.ClientSession() as session:',
      '                kwargs: Dict = {"headers": self.headers, "params": params}',
      '                async with session.get(self.searx_host, **kwargs) as response:',
      '                    return await response.text()',
      '    async def aembed(self, texts):',
      '        async with ClientSession(timeout=None) as session:',
      '            return await asyncio.gather(*[self._one(session, t) for t in texts])',
      'async def fetch(url):',
      '    async with aiohttp.request("GET", url) as r:',
      '        return await r.json()',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/searx.py', src, R), []);
  });

  it('flags a ClientTimeout that sets no limit, and fixes it with total=', async () => {
    const src = [
      'import aiohttp',
      'from aiohttp import ClientTimeout',
      'async def stream(url):',
      '    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as s:',
      '        pass',
      '    async with aiohttp.ClientSession(timeout=ClientTimeout()) as s:',
      '        pass',
      '    async with aiohttp.ClientSession(timeout=ClientTimeout(total=0, connect=None)) as s:',
      '        pass',
      '    # a finite limit on any part is a deadline of its own',
      '    async with aiohttp.ClientSession(timeout=ClientTimeout(total=None, sock_read=30)) as s:',
      '        pass',
      '    async with aiohttp.ClientSession(timeout=ClientTimeout(60)) as s:',
      '        pass',
      '    async with aiohttp.ClientSession(timeout=ClientTimeout(**opts)) as s:',
      '        pass',
      '',
    ].join('\n');
    const found = await findings('app/stream.py', src, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [4, 6, 8],
    );
    assert.equal(found[1].message, 'aiohttp.ClientTimeout sets no limit (total, connect, sock_read and sock_connect all unset, None or 0)');
    assert.match(await fixAt('app/stream.py', src, R, 4), /aiohttp\.ClientTimeout\(total=10\)/);
    assert.match(await fixAt('app/stream.py', src, R, 6), /ClientTimeout\(total=10\)/);
    assert.match(await fixAt('app/stream.py', src, R, 8), /ClientTimeout\(total=10, connect=None\)/);
  });

  it('flags timeout=None on a request of an aiohttp session: that is no limit, not the default', async () => {
    const src = [
      'import aiohttp',
      'class Client:',
      '    def __init__(self):',
      '        self._session = aiohttp.ClientSession()',
      '    async def get(self, url):',
      '        async with self._session.get(url, timeout=None) as r:',
      '            return await r.read()',
      '    async def post(self, url, body):',
      '        async with self._session.post(url, data=body) as r:',
      '            return await r.read()',
      'async def once(url):',
      '    async with aiohttp.ClientSession() as s:',
      '        async with s.get(url, timeout=0) as r:',
      '            return await r.read()',
      '',
    ].join('\n');
    const found = await findings('app/client.py', src, R);
    assert.deepEqual(
      found.map((f) => [f.line, f.message]),
      [
        [6, "timeout disabled on aiohttp ClientSession.get (timeout=None means no limit, not the session's default)"],
        [13, "timeout disabled on aiohttp ClientSession.get (timeout=0 means no limit, not the session's default)"],
      ],
    );
    assert.match(await fixAt('app/client.py', src, R, 6), /self\._session\.get\(url, timeout=10\)/);
  });

  it('still flags a requests Session of the same name in another function', async () => {
    const src = [
      'import aiohttp',
      'import requests',
      'async def a(u):',
      '    async with aiohttp.ClientSession() as s:',
      '        return await s.get(u)',
      'def b(u):',
      '    s = requests.Session()',
      '    return s.get(u)',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/mixed.py', src, R), [8]);
  });
});
