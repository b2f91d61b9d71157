/** Recorded text quoted in a one-line skip detail: control characters shown as escapes, cut to a readable length. */
export function excerpt(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).slice(1, -1);
}
