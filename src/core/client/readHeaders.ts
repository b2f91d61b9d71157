/** Headers every read of the read API carries (HTTP and the stream's upgrade): the read token, when the session has one. */
export function readHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
