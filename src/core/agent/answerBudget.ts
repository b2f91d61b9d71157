/**
 * Keeps an answer within its token budget without a tokenizer in the bundle: a token is counted as
 * every 3 characters (tables of figures and paths tokenize denser than prose, ~3-4 characters a token
 * in the common BPE vocabularies; bench:agent checks the real counts). Rows past the budget are
 * dropped whole and the answer says how many, so a model knows to ask with `detail` or a filter.
 */

/** A conservative token count of `text`. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/**
 * The header lines, then as many rows as fit `maxTokens` (with the footer), then a line saying how
 * many rows were left out and how to see them.
 */
export function fitRows(header: readonly string[], rows: readonly string[], maxTokens: number, footer: readonly string[] = [], more = 'ask with detail: true or a narrower filter'): string {
  const budget = maxTokens * 3;
  let used = header.reduce((n, l) => n + l.length + 1, 0) + footer.reduce((n, l) => n + l.length + 1, 0) + 80;
  const kept: string[] = [];
  for (const row of rows) {
    if (used + row.length + 1 > budget) break;
    kept.push(row);
    used += row.length + 1;
  }
  const left = rows.length - kept.length;
  const tail = left > 0 ? [`… ${left} more row${left === 1 ? '' : 's'} not shown (${more})`] : [];
  return [...header, ...kept, ...tail, ...footer].join('\n');
}
