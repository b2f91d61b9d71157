import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bytes of randomness in a session's read token (hex-encoded, so twice as many characters). */
export const RECEIVER_TOKEN_BYTES = 32;

/** `<storage>/receiver-<port>.token`: one file per port, so a second window finds the token of the receiver it attaches to. */
export function receiverTokenFile(storageDir: string, port: number): string {
  return path.join(storageDir, `receiver-${port}.token`);
}

/**
 * Generates a fresh token and writes it to `file`, readable by this user only. Written beside and
 * renamed into place, so a window attaching meanwhile reads the old token or the new one, never half of one.
 */
export function createReceiverToken(file: string): string {
  const token = randomBytes(RECEIVER_TOKEN_BYTES).toString('hex');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, token, { mode: 0o600, flag: 'wx' });
  try {
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  return token;
}

/** The token in `file`, or '' when there is none (no receiver was started from this editor on that port). */
export function readReceiverToken(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Deletes `file` if it still holds `token` (another window may have started a receiver and written its own since). */
export function removeReceiverToken(file: string, token: string): void {
  if (token !== '' && readReceiverToken(file) === token) fs.rmSync(file, { force: true });
}
