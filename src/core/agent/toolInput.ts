/**
 * Reads a tool's input (JSON a model wrote) into typed values: each reader checks one property and
 * throws a ToolInputError with one line naming the property and what it takes, so the model can
 * fix its call. Unknown properties are refused too (a misspelt `enviroment` must not be ignored).
 */
import { DEFAULT_MAX_TOKENS, DETAIL_MAX_TOKENS, ToolInputError, type ToolRunOptions } from './agentTool';

/** The windows the tools offer (the read API takes others; these are the ones a model should pick from). */
export const TOOL_WINDOWS = ['5m', '15m', '1h', '6h', '24h'] as const;
/** One of TOOL_WINDOWS. */
export type ToolWindow = (typeof TOOL_WINDOWS)[number];

/** A tool's input as an object whose properties are all in `allowed`; `undefined`/`null` read as `{}`. */
export function inputObject(input: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ToolInputError('input must be a JSON object');
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new ToolInputError(`unknown input "${key.slice(0, 40)}"; this tool takes: ${allowed.join(', ')}`);
  }
  return obj;
}

/** An optional string property, trimmed; '' reads as absent. */
export function readString(obj: Record<string, unknown>, key: string, max = 500): string | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ToolInputError(`"${key}" must be a string`);
  const s = v.trim();
  if (s.length > max) throw new ToolInputError(`"${key}" is longer than ${max} characters`);
  return s === '' ? undefined : s;
}

/** An optional integer property within [min, max] (numeric strings are accepted: some clients send them). */
export function readInteger(obj: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ToolInputError(`"${key}" must be a whole number`);
  if (n < min || n > max) throw new ToolInputError(`"${key}" must be between ${min} and ${max}`);
  return n;
}

/** An optional boolean property (`"true"`/`"false"` accepted). */
export function readBoolean(obj: Record<string, unknown>, key: string): boolean | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ToolInputError(`"${key}" must be true or false`);
}

/** An optional property that must be one of `values`. */
export function readEnum<T extends string>(obj: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ToolInputError(`"${key}" must be one of ${values.join(', ')}`);
  return v as T;
}

/** A workspace-relative file: posix separators, no leading `./`, never absolute nor climbing out with `..`. */
export function readWorkspaceFile(obj: Record<string, unknown>, key: string): string | undefined {
  const raw = readString(obj, key, 1000);
  if (raw === undefined) return undefined;
  const file = raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (file.startsWith('/') || /^[a-zA-Z]:/.test(file) || file.split('/').includes('..')) {
    throw new ToolInputError(`"${key}" must be a workspace-relative path like src/orders.js`);
  }
  return file;
}

/** The answer budget in tokens: the host's, raised to DETAIL_MAX_TOKENS when the input asks for detail. */
export function answerBudget(options: ToolRunOptions | undefined, detail: boolean | undefined): number {
  const base = options?.maxTokens && options.maxTokens > 0 ? options.maxTokens : DEFAULT_MAX_TOKENS;
  return detail ? Math.max(base, DETAIL_MAX_TOKENS) : base;
}

/** The JSON Schema of the `window` input, shared by the tools that take one. */
export const WINDOW_SCHEMA: Record<string, unknown> = { type: 'string', enum: [...TOOL_WINDOWS] };

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
