/** The WebSocket URL with the token in its `token` parameter (a browser cannot set headers). */
export function socketUrl(wsUrl: string, token: string | undefined): string {
  if (!token) return wsUrl;
  const url = new URL(wsUrl);
  url.searchParams.set("token", token);
  return url.toString();
}
