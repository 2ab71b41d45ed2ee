/**
 * Reaching the server (docs/decisions/0008: host permissions, not CORS). http://127.0.0.1 and
 * http://localhost (any port) are granted at install (wxt.config.ts); another server's origin is an
 * optional host permission the options page requests when the rater saves that URL.
 */
/** The match pattern for a server URL. Match patterns ignore ports (any port matches). */
export function originPattern(serverUrl: string): string {
  const u = new URL(serverUrl);
  return `${u.protocol}//${u.hostname}/*`;
}

export function isBuiltinServer(serverUrl: string): boolean {
  try {
    const u = new URL(serverUrl);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost');
  } catch {
    return false;
  }
}

interface PermissionsApi {
  contains(p: { origins: string[] }): Promise<boolean>;
}

export async function mayReach(permissions: PermissionsApi | undefined, serverUrl: string): Promise<boolean> {
  if (isBuiltinServer(serverUrl)) return true;
  if (!permissions) return true;
  try {
    return await permissions.contains({ origins: [originPattern(serverUrl)] });
  } catch {
    return false;
  }
}
