import type { AppInfo } from '../../shared/types';
import type { SecretBox } from '../secrets/secret-box';

/** app:info — what the About panel and the secret-storage warning show. */
export function createAppInfoService(deps: { version: string; mode: AppInfo['mode']; secrets: SecretBox; dataDir: string }) {
  return {
    info(): AppInfo {
      return { version: deps.version, mode: deps.mode, secretStorage: deps.secrets.kind, dataDir: deps.dataDir };
    },
  };
}
