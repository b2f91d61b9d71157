/**
 * What a browser test of the demo prints when a live figure does not show: the receiver's answer
 * for the file, the extension's log and each service's last line. CI keeps only the test output,
 * so the diagnosis goes into the failure message as well as beside the screenshots.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './harness';

const demoDir = path.join(repoRoot, '.tools', 'demo');

/** The last `n` non-empty lines of a file, or a line saying it is missing. */
function tail(file: string, n: number): string[] {
  if (!existsSync(file)) return [`(no ${path.relative(repoRoot, file)})`];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-n);
}

/** The port the demo gave its receiver: 4318 unless demo.log says another. */
function receiverPort(demoLog: string): number {
  const moved = existsSync(demoLog) ? /the receiver will listen on (\d+)/.exec(readFileSync(demoLog, 'utf8')) : null;
  return moved ? Number(moved[1]) : 4318;
}

/** The extension's own log of this run (the newest session under the profile's logs). */
function extensionLog(): string {
  const logs = path.join(demoDir, 'user-data', 'logs');
  const sessions = existsSync(logs) ? readdirSync(logs).sort() : [];
  const newest = sessions.at(-1);
  return newest ? path.join(logs, newest, 'exthost1', 'runtime-lens.runtime-lens', 'Runtime Lens.log') : path.join(logs, '(none)');
}

/** What the receiver answers for `file`, in a few lines: its status and the file's functions. */
async function receiverAnswer(port: number, file: string): Promise<string[]> {
  const tokenFile = path.join(demoDir, 'user-data', 'User', 'globalStorage', 'runtime-lens.runtime-lens', `receiver-${port}.token`);
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  const base = `http://127.0.0.1:${port}`;
  try {
    const status = await fetch(`${base}/api/status`, { headers, signal: AbortSignal.timeout(5000) });
    const signals = await fetch(`${base}/api/signals?window=5m&file=${encodeURIComponent(file)}`, { headers, signal: AbortSignal.timeout(5000) });
    const body = (await signals.json().catch(() => ({}))) as { functions?: { function: string; line: number; count: number }[] };
    const functions = (body.functions ?? []).map((f) => `${f.function}:${f.line} ×${f.count}`).join(', ');
    return [`status HTTP ${status.status}: ${(await status.text()).slice(0, 300)}`, `signals for ${file} HTTP ${signals.status}: ${functions || 'no functions'}`];
  } catch (e) {
    return [`receiver at ${base}: no answer (${(e as Error).message})`];
  }
}

/** Several lines saying what the demo had when `file` showed no live figure. */
export async function demoDiagnosis(file: string): Promise<string> {
  const demoLog = path.join(repoRoot, 'test-results', 'e2e', 'demo.log');
  const lines = [...(await receiverAnswer(receiverPort(demoLog), file)), 'extension log:', ...tail(extensionLog(), 15).map((l) => `  ${l}`)];
  for (const service of ['orders-service', 'inventory', 'loadgen']) lines.push(`${service}: ${tail(path.join(demoDir, 'logs', `${service}.log`), 1)[0]}`);
  lines.push('demo:', ...tail(demoLog, 6).map((l) => `  ${l}`));
  return lines.join('\n');
}
