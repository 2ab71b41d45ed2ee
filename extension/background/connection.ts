/**
 * "Test connection" in the options page: is the server there, is it Groundtruth, does it accept
 * the token, and may the token submit ratings. Each answer is one plain sentence.
 */
import { ExtensionConfigResponse } from '../../shared/extension-config.ts';
import type { Role } from '../../shared/schemas.ts';
import { SyncResponse } from '../../shared/schemas.ts';
import { serverApi } from '../sync/api.ts';
import { baseUrl, requestJson, type Fetch, type FailureKind } from '../sync/http.ts';

export interface ConnectionResult {
  ok: boolean;
  kind?: FailureKind | 'bad-url';
  message: string;
  role?: Role;
  workspaceId?: string;
}

export async function testConnection(
  fetchFn: Fetch,
  serverUrl: string,
  token: string,
  mayReach: (serverUrl: string) => Promise<boolean> = async () => true,
): Promise<ConnectionResult> {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return { ok: false, kind: 'bad-url', message: `"${serverUrl}" is not a web address; write it like http://127.0.0.1:8787.` };
  }
  const server = baseUrl(url.href);
  if (!(await mayReach(server))) {
    return { ok: false, kind: 'no-permission', message: `Groundtruth has no permission to reach ${server}: save the settings and allow access when asked.` };
  }
  const health = await requestJson(server, () => serverApi(fetchFn, server).healthz.$get(), (b) =>
    b && typeof b === 'object' && (b as { ok?: unknown }).ok === true ? true : undefined,
  );
  if (!health.ok) return { ok: false, kind: health.failure.kind, message: health.failure.message };
  if (!token.trim()) {
    return { ok: false, kind: 'not-configured', message: `The server at ${server} is up. Now paste your token (ask an admin for one).` };
  }
  const api = serverApi(fetchFn, server, token.trim());
  const who = await requestJson(server, () => api.v1['extension-config'].$get(), (b) => {
    const parsed = ExtensionConfigResponse.safeParse(b);
    return parsed.success ? parsed.data : undefined;
  });
  if (!who.ok) return { ok: false, kind: who.failure.kind, message: who.failure.message };
  // An empty batch changes nothing and checks exactly the permission the extension needs.
  const probe = await requestJson(
    server,
    () => api.v1.sync.$post({ json: { clientId: 'groundtruth-connection-test', mutations: [] } }),
    (b) => (SyncResponse.safeParse(b).success ? true : undefined),
  );
  const { role, workspaceId, name } = who.body.caller;
  if (!probe.ok) {
    if (probe.failure.kind === 'forbidden') {
      return {
        ok: false,
        kind: 'forbidden',
        role,
        workspaceId,
        message: `The token works, but its role (${role}) may not submit ratings. Ask an admin for a rater token.`,
      };
    }
    return { ok: false, kind: probe.failure.kind, message: probe.failure.message };
  }
  const safer = role === 'rater' ? '' : ` It works, but this is an ${role} token: a rater token is the safer kind to keep in a browser.`;
  return { ok: true, role, workspaceId, message: `Connected to ${server}: workspace "${workspaceId}", ${role} token "${name}".${safer}` };
}
