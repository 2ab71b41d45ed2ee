import type { AppEnv } from '../lib/types.ts';
import type { Session } from './session.ts';

/** The dashboard's context: the app's (store, auth) plus the signed-in session. */
export interface DashEnv {
  Variables: AppEnv['Variables'] & {
    session: Session;
  };
}
