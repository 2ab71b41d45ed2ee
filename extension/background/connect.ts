/**
 * "Connect with a code" in the options page (issue 15, item 3; ADR 0049): the rater types the
 * server's address and the one-time code the dashboard showed; the background trades the code
 * (POST /v1/connect, no token) for this browser's own rater token and stores it exactly as a
 * pasted token is stored (settings.ts). The token never goes back to the page in a message: the
 * options page reads the settings again, as after Save. Each answer is one plain sentence.
 */
import { z } from 'zod';
import { serverApi } from '../sync/api.ts';
import { baseUrl, requestJson, type Fetch, type FailureKind } from '../sync/http.ts';
import { saveSettings, type KeyValueArea } from './settings.ts';

export interface ConnectResult {
  ok: boolean;
  kind?: FailureKind | 'bad-url' | 'bad-code';
  message: string;
  raterId?: string;
  workspaceId?: string;
}

const Connected = z.object({ token: z.string().min(1), raterId: z.string(), workspaceId: z.string(), name: z.string().optional() });

export async function connectWithCode(
  deps: { fetch: Fetch; storage: KeyValueArea; mayReach?: (serverUrl: string) => Promise<boolean> },
  serverUrl: string,
  code: string,
  deviceName?: string,
): Promise<ConnectResult> {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return { ok: false, kind: 'bad-url', message: `"${serverUrl}" is not a web address; write it as the dashboard shows it, like http://127.0.0.1:8787.` };
  }
  const typed = code.trim();
  if (!typed) return { ok: false, kind: 'bad-code', message: 'Type the code the dashboard shows under "Connect a browser" (like K7QX-M4TZ).' };
  const server = baseUrl(url.href);
  if (deps.mayReach && !(await deps.mayReach(server))) {
    return { ok: false, kind: 'no-permission', message: `Groundtruth has no permission to reach ${server}: press Connect again and allow access when asked.` };
  }
  const name = deviceName?.trim().slice(0, 100) || undefined;
  const answer = await requestJson(
    server,
    () => serverApi(deps.fetch, server).v1.connect.$post({ json: { code: typed, ...(name ? { deviceName: name } : {}) } }),
    (b) => {
      const parsed = Connected.safeParse(b);
      return parsed.success ? parsed.data : undefined;
    },
  );
  if (!answer.ok) return { ok: false, kind: answer.failure.kind, message: answer.failure.message };
  await saveSettings(deps.storage, { serverUrl: server, token: answer.body.token });
  const { raterId, workspaceId } = answer.body;
  return { ok: true, raterId, workspaceId, message: `Connected to ${server} as rater ${raterId} (workspace "${workspaceId}"). Ratings from this browser now sync.` };
}
