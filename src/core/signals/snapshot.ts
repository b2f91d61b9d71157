import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../logger';
import type { SignalStore } from './signalStore';
import { MAX_SNAPSHOT_BYTES } from './snapshotLimits';
import type { StoreState } from './storeTypes';

/** The file operations a snapshot write makes; tests observe the real ones through this seam. */
export interface SnapshotFs {
  open: typeof fs.open;
  rename: typeof fs.rename;
  mkdir: typeof fs.mkdir;
}

const NODE_FS: SnapshotFs = { open: fs.open, rename: fs.rename, mkdir: fs.mkdir };

/** What one write did: bytes written and pieces (the event loop ran between two pieces). */
export interface SnapshotWrite {
  bytes: number;
  pieces: number;
}

/** The temp file a process writes beside `file` before renaming it over `file`. */
function tempFile(file: string, pid = process.pid): string {
  return `${file}.${pid}.tmp`;
}

/**
 * Writes `pieces` to `file` atomically and durably: a temp file in the same folder, fsynced, then
 * renamed over `file`, then the folder fsynced (where the platform can) so the rename survives a
 * crash too. Yields to the event loop between pieces, so a large snapshot never stalls the server.
 */
export async function writeSnapshotPieces(file: string, pieces: Iterable<string>, ops: SnapshotFs = NODE_FS): Promise<SnapshotWrite> {
  await ops.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempFile(file);
  const handle = await ops.open(tmp, 'w');
  const written: SnapshotWrite = { bytes: 0, pieces: 0 };
  try {
    try {
      for (const piece of pieces) {
        const bytes = Buffer.from(piece, 'utf8');
        for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
        written.bytes += bytes.length;
        written.pieces++;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await ops.rename(tmp, file);
  } catch (err) {
    // A failed write leaves the previous snapshot in place and no temp file behind.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncFolder(path.dirname(file), ops);
  return written;
}

async function syncFolder(folder: string, ops: SnapshotFs): Promise<void> {
  let dir: fs.FileHandle;
  try {
    dir = await ops.open(folder, 'r');
  } catch {
    return; // Windows cannot open a folder: NTFS orders the rename itself.
  }
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL, EPERM); the file itself is synced.
  } finally {
    await dir.close();
  }
}

/** Writes a whole store state at once (small stores and tests); see `writeStoreSnapshot` for the periodic write. */
export async function writeSnapshot(file: string, state: StoreState, ops: SnapshotFs = NODE_FS): Promise<void> {
  await writeSnapshotPieces(file, [JSON.stringify(state)], ops);
}

/** Writes the store serialized a chunk of entries at a time, yielding between chunks. */
export function writeStoreSnapshot(file: string, store: SignalStore, ops: SnapshotFs = NODE_FS): Promise<SnapshotWrite> {
  return writeSnapshotPieces(file, store.snapshotPieces(), ops);
}

/** True when a process with this id runs (one we may not signal still runs). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files a crashed or killed write left beside `file` (`<file>.<pid>.tmp`), unless the
 * process that writes them still runs. Returns the names removed.
 */
export async function removeLeftoverTemps(file: string): Promise<string[]> {
  const folder = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = name.slice(prefix.length, -'.tmp'.length);
    if (!/^\d{1,10}$/.test(pid)) continue;
    if (Number(pid) !== process.pid && running(Number(pid))) continue;
    await fs.rm(path.join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Restores `store` from `file`. A missing file is a fresh start. A corrupt one (not JSON, the wrong
 * frame, or larger than MAX_SNAPSHOT_BYTES) is renamed to `<file>.corrupt-<time>`, reported once
 * and otherwise ignored, so a bad snapshot never stops the receiver. Entries with wrong field
 * types or crafted sketches are skipped: the restore says "partial" with counts, and the original
 * file is kept aside as `<file>.partial-<time>`. Returns what happened, in one line.
 */
export async function restoreSnapshot(file: string, store: SignalStore, logger: Logger = silentLogger): Promise<string> {
  let text: string;
  try {
    const { size } = await fs.stat(file);
    if (size > MAX_SNAPSHOT_BYTES) return await setAside(file, `it is ${size} bytes, more than the limit of ${MAX_SNAPSHOT_BYTES}`, logger);
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `no snapshot at ${file}; starting empty`;
    const message = `could not read snapshot ${file} (${code ?? (err as Error).message}); starting empty`;
    logger.warn(message);
    return message;
  }
  let report: ReturnType<typeof store.restore>;
  try {
    report = store.restore(JSON.parse(text));
  } catch (err) {
    return setAside(file, (err as Error).message, logger);
  }
  const sizes = store.sizes();
  const restored = `${sizes.locations} locations and ${sizes.errorGroups} error groups`;
  if (report.skipped === 0) return `restored ${restored} from ${file}`;
  const aside = `${file}.partial-${Date.now()}`;
  const kept = await fs.copyFile(file, aside).then(
    () => `; the original is kept as ${aside}`,
    () => '',
  );
  const message = `partial restore from ${file}: restored ${report.restored} entries (${restored}), skipped ${report.skipped} (${report.reasons.join('; ')})${kept}`;
  logger.warn(message);
  return message;
}

async function setAside(file: string, why: string, logger: Logger): Promise<string> {
  const aside = `${file}.corrupt-${Date.now()}`;
  await fs.rename(file, aside).catch(() => undefined);
  const message = `snapshot ${file} is unreadable (${why}); moved it to ${aside} and started empty`;
  logger.warn(message);
  return message;
}

/** Writes the snapshot every `intervalMs` and once more on `stop()`. */
export class SnapshotScheduler {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SignalStore,
    private readonly file: string,
    private readonly intervalMs: number,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Starts the periodic writes. */
  start(): void {
    this.timer = setInterval(() => void this.writeNow(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes now, a chunk of entries at a time; writes never overlap. Errors are logged, not thrown. */
  writeNow(): Promise<void> {
    this.writing = this.writing.then(() =>
      writeStoreSnapshot(this.file, this.store).then(
        () => undefined,
        (err: Error) => this.logger.error(`could not write snapshot ${this.file}: ${err.message}`),
      ),
    );
    return this.writing;
  }

  /** Stops the timer and writes a final snapshot. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writeNow();
  }
}
