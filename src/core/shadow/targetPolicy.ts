/**
 * Where a shadow run may send requests: loopback only unless a host is allow-listed. Nothing is
 * resolved over DNS, because a name that resolves to loopback today can resolve elsewhere on the
 * next request (DNS rebinding): only literal loopback addresses, `localhost`, and names the user
 * listed with `--allow-host` pass.
 */

/** The outcome of checking a target: the parsed URL, or one line saying why it is refused. */
export type TargetCheck = { ok: true; url: URL } | { ok: false; error: string };

/** Checks a target URL against the loopback-only rule and the allow list (exact host, case-insensitive). */
export function checkTarget(url: string, allowHosts: string[]): TargetCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: `target "${oneLine(url)}" is not a valid URL (write it as http://127.0.0.1:PORT)` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, error: `target "${oneLine(url)}" must be http or https, not ${parsed.protocol.replace(/:$/, '')}` };
  if (parsed.username || parsed.password) return { ok: false, error: `target "${parsed.host}" must not carry credentials in its URL` };
  const host = bare(parsed.hostname);
  if (isLoopback(host)) return { ok: true, url: parsed };
  if (allowHosts.some((h) => normalizeHost(h) === host)) return { ok: true, url: parsed };
  return { ok: false, error: `refusing target host ${host}: not a loopback address; pass --allow-host ${host} to allow it` };
}

/**
 * The WHATWG URL parser has already lowered the host and turned every IPv4 spelling (`127.1`,
 * `0x7f.0.0.1`) into dotted decimal and every IPv6 spelling into its shortest form.
 */
function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  // IPv4-mapped IPv6 of 127.0.0.0/8 (`::ffff:127.0.0.1` is written `::ffff:7f00:1`).
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

/** An allow-list entry in the form the URL parser gives hosts, so `LOCALHOST`, `[::2]` and `::2` compare as equal. */
function normalizeHost(entry: string): string {
  const e = entry.trim();
  const asHost = e.includes(':') && !e.startsWith('[') ? `[${e}]` : e;
  try {
    return bare(new URL(`http://${asHost}/`).hostname);
  } catch {
    return e.toLowerCase();
  }
}

function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function oneLine(s: string): string {
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > 200 ? flat.slice(0, 200) + '…' : flat;
}
