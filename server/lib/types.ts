import type { Store } from '../store/open.ts';
import type { TokenInfo } from '../store/tokens.ts';

export interface AppEnv {
  Variables: {
    store: Store;
    auth: TokenInfo;
  };
}
