/**
 * Orders strings by UTF-16 code units: deterministic tie-breaks for ids and names. Unlike
 * localeCompare it never loads ICU's collator, whose first use costs the calling thread 6-10 ms
 * (a stall in the extension host when a panel or trace first renders).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
