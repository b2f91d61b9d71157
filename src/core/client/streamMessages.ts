/**
 * Messages of the read API's stream, checked before anyone reads them (a proxy, a server of another
 * version or a hostile one must give one clear line, not a crash in a view). Types a newer server
 * adds are reported as unknown, not as errors.
 */
import type { StreamMessage } from '../api/streamProtocol';
import { InvalidAnswer, parseErrorSignal, parseStatusAnswer } from './validate';

/** A checked message, or a message type this client does not know (from a newer server). */
export type ParsedStreamMessage = { known: true; message: StreamMessage } | { known: false; type: string };

/** The text of one WebSocket message as a stream message; throws an InvalidAnswer naming the first bad field. */
export function parseStreamMessage(text: string): ParsedStreamMessage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InvalidAnswer('a stream message is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidAnswer('a stream message is not an object');
  const m = v as Record<string, unknown>;
  const type = own(m, 'type');
  if (typeof type !== 'string') throw new InvalidAnswer('a stream message has no type');
  switch (type) {
    case 'hello':
    case 'status':
      return { known: true, message: { type, status: inField(type, 'status', () => parseStatusAnswer(own(m, 'status'))) } };
    case 'changed': {
      const files = strings(own(m, 'files'), 'changed.files');
      const environments = strings(own(m, 'environments'), 'changed.environments');
      const at = own(m, 'at');
      if (typeof at !== 'number' || !Number.isFinite(at)) throw new InvalidAnswer('changed.at is not a finite number');
      const all = own(m, 'all');
      if (all !== undefined && typeof all !== 'boolean') throw new InvalidAnswer('changed.all is not true or false');
      return { known: true, message: { type, files, environments, at, ...(all === true ? { all: true as const } : {}) } };
    }
    case 'newErrorGroup':
      return { known: true, message: { type, error: parseErrorSignal(own(m, 'error'), 'newErrorGroup.error') } };
    default:
      return { known: false, type: type.slice(0, 40) };
  }
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function strings(v: unknown, at: string): string[] {
  if (!Array.isArray(v)) throw new InvalidAnswer(`${at} is not a list`);
  v.forEach((x, i) => {
    if (typeof x !== 'string') throw new InvalidAnswer(`${at}[${i}] is not a string`);
  });
  return v as string[];
}

/** Runs a parse whose errors name the whole answer, naming the field instead. */
function inField<T>(type: string, field: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidAnswer) throw new InvalidAnswer(`${type}.${field}: ${err.message.replace(/^the answer /, '')}`);
    throw err;
  }
}
