/**
 * Reading fields of parsed JSON from outside (traffic files): own properties only, so keys such
 * as `__proto__` or `constructor` in a hostile file are data, never the prototype's members.
 */

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object's own property `name`, or undefined. */
export function field(obj: JsonObject, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

/** Parses JSON text (a leading BOM allowed), throwing one line: `<what>: not JSON (<reason>)`. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`${what}: not JSON (${JSON.stringify(reason.length > 120 ? `${reason.slice(0, 120)}…` : reason).slice(1, -1)})`);
  }
}
