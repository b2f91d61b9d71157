/**
 * The benchmark's helper processes (sender, simulated editors) run as `node --import tsx FILE PLAN`,
 * each on its own event loop, so none of them shares a thread with what it measures. Each prints
 * one JSON line when done; a child that fails rejects with its stderr.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** Runs bench/backends/FILE with `plan` as its JSON argument; resolves with its JSON answer. */
export function runChild<T>(file: string, plan: unknown): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, file), JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  return new Promise<T>((resolve, reject) => {
    child.on('close', (code) => {
      process.off('exit', kill);
      if (code !== 0) return reject(new Error(`${file} exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${file} printed no JSON line: ${out.slice(0, 300)} ${err.slice(0, 300)}`));
      }
    });
  });
}
