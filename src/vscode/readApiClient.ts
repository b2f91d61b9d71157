import * as http from 'node:http';

/** Headers every read of the receiver carries: the read token, when the session has one. */
export function readHeaders(token: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * GETs a small JSON answer from the receiver's read API, with the session's read token. Non-200
 * answers reject with the server's `{error}` text; a 404 resolves to undefined when `notFoundIsUndefined`.
 */
export function getJson<T>(endpoint: string, pathAndQuery: string, timeoutMs: number, notFoundIsUndefined: boolean, token = ''): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = http.get(`${endpoint}${pathAndQuery}`, { timeout: timeoutMs, headers: { accept: 'application/json', ...readHeaders(token) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 404 && notFoundIsUndefined) return resolve(undefined as T);
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} for ${pathAndQuery}: ${errorText(text)}`));
        try {
          resolve(JSON.parse(text) as T);
        } catch {
          reject(new Error(`${pathAndQuery}: the answer is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

function errorText(body: string): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
