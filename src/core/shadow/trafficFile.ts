/**
 * Opens a traffic file for the shadow run and hands it to the reader its format needs: by
 * extension (.har, .gor, .json; GoReplay's .gz files unpacked first), else by what it holds.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readGor } from './gorTraffic';
import { readHar } from './harTraffic';
import { readJsonTraffic } from './jsonTraffic';
import type { TrafficRead } from './shadowRequest';

/** Traffic files past this size are refused: a shadow run samples a few thousand requests, not a week of traffic. */
export const MAX_TRAFFIC_FILE_BYTES = 256 * 1024 * 1024;

/** The formats a traffic file may hold. */
export type TrafficFormat = 'har' | 'gor' | 'json';

/** Reads a traffic file (.har, .gor, .json, or any of them gzipped); every error is one line naming the file. */
export async function readTrafficFile(file: string): Promise<TrafficRead> {
  try {
    const size = (await stat(file)).size;
    if (size > MAX_TRAFFIC_FILE_BYTES) throw new Error(`${mib(size)} is over the ${mib(MAX_TRAFFIC_FILE_BYTES)} limit for traffic files`);
    let bytes: Buffer = await readFile(file);
    let name = path.basename(file).toLowerCase();
    if (name.endsWith('.gz')) {
      bytes = gunzip(bytes);
      name = name.slice(0, -3);
    }
    const format = formatOfName(name) ?? sniffFormat(bytes);
    if (format === null) throw new Error('not a HAR, GoReplay or JSON traffic file (name it .har, .gor or .json)');
    return readTraffic(bytes, format);
  } catch (e) {
    throw new Error(`traffic file ${file}: ${describe(e)}`);
  }
}

/** Reads traffic already in memory, in a known format. */
export function readTraffic(bytes: Buffer, format: TrafficFormat): TrafficRead {
  if (format === 'gor') return readGor(bytes);
  const text = bytes.toString('utf8');
  return format === 'har' ? readHar(text) : readJsonTraffic(text);
}

/** The format an extension names, or null. */
export function formatOfName(name: string): TrafficFormat | null {
  const ext = path.extname(name).toLowerCase();
  return ext === '.har' ? 'har' : ext === '.gor' ? 'gor' : ext === '.json' ? 'json' : null;
}

/** The format of a file with an unknown extension (GoReplay's default names end in .log), from its first bytes, or null. */
export function sniffFormat(bytes: Buffer): TrafficFormat | null {
  const head = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (/^[123] [\x21-\x7e]+ \d+/.test(head) || head.includes('\n🐵🙈🙉\n')) return 'gor';
  const start = head.trimStart();
  // HAR puts everything under "log"; the order of keys is free, so look for it anywhere in the head.
  if (start.startsWith('{')) return /"log"\s*:\s*\{/.test(start) ? 'har' : 'json';
  if (start.startsWith('[')) return 'json';
  return null;
}

function gunzip(bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_TRAFFIC_FILE_BYTES });
  } catch (e) {
    throw new Error(`not gzip, or over ${mib(MAX_TRAFFIC_FILE_BYTES)} unpacked (${describe(e)})`);
  }
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

function describe(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0];
}
