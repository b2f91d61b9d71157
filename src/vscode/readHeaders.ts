/** Headers every read of the receiver carries: the read token, when the session has one. */
export function readHeaders(token: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
