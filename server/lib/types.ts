import type { Store } from '../store/open.ts';
import type { ErrorPage } from './errors.ts';
import type { TokenInfo } from '../store/tokens.ts';
import type { PublicKeyInfo } from '../store/public-keys.ts';
import type { EmbeddingsConfig } from '../search/semantic/config.ts';

export interface AppEnv {
  Variables: {
    store: Store;
    auth: TokenInfo;
    /** Set when the bearer is a public ingest key (middleware/auth/public-key.ts): it may only sync. */
    publicKey?: PublicKeyInfo;
    /** How far ahead of the server's clock a client's time may be (env MAX_CLOCK_SKEW_SECONDS; lib/clock.ts). */
    maxClockSkewSeconds: number;
    /** Where the request comes from, for the audit log (lib/client-address.ts) and through which door. */
    client: { address: string | null; via: 'api' | 'dashboard' };
    /** Semantic search's embeddings endpoint, null when none is configured (search/semantic/config.ts). */
    embeddings: EmbeddingsConfig | null;
    /** Set by the dashboard: the app's one onError renders its errors as this page, not as JSON. */
    errorPage?: ErrorPage;
  };
}
