import type { Handlers } from '../../shared/contract';
import type { AppInfo } from '../../shared/types';
import type { SecretBox } from '../secrets/secret-box';
import type { Database } from '../store/database';
import { createAlertsService } from './alerts';
import { createAppInfoService } from './app-info';
import { createModelsService } from './models';
import { createPricesService } from './prices';
import type { ProxyController } from './proxy-controller';
import { createSubkeysService } from './subkeys';
import { createUpstreamsService } from './upstreams';
import { createUsageService } from './usage';
import type { WriteHooks } from './write-hooks';

export interface HandlerDeps {
  db: Database;
  secrets: SecretBox;
  hooks?: WriteHooks;
  proxyController: ProxyController;
  app: { version: string; mode: AppInfo['mode']; dataDir: string };
  upstreamTimeoutMs?: number;
  priceDataUrl?: string;
  /** Desktop: asks where to save an export (null: cancelled). Without it usage:export is refused (headless streams it over HTTP). */
  pickExportFile?: () => Promise<string | null>;
}

/** One handler per contract channel, each calling its service. Input arrives already validated by the dispatcher. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const upstreams = createUpstreamsService(deps);
  const models = createModelsService(deps);
  const subkeys = createSubkeysService(deps);
  const usage = createUsageService(deps);
  const appInfo = createAppInfoService({ ...deps.app, secrets: deps.secrets });
  const proxy = deps.proxyController;
  const prices = createPricesService(deps);
  const alerts = createAlertsService(deps);

  return {
    'app:info': () => appInfo.info(),

    'upstreams:list': () => upstreams.list(),
    'upstreams:add': (input) => upstreams.add(input),
    'upstreams:update': (input) => upstreams.update(input),
    'upstreams:remove': (input) => upstreams.remove(input),
    'upstreams:test': (input) => upstreams.test(input),

    'models:sync': (input) => models.sync(input),
    'models:list': (input) => models.list(input),

    'subkeys:list': (input) => subkeys.list(input),
    'subkeys:create': (input) => subkeys.create(input),
    'subkeys:update': (input) => subkeys.update(input),
    'subkeys:rotate': (input) => subkeys.rotate(input),
    'subkeys:remove': (input) => subkeys.remove(input),

    'usage:list': (input) => usage.list(input),
    'usage:daily': (input) => usage.daily(input),
    'usage:refusals': () => usage.refusals(),
    'usage:storage': () => usage.storage(),

    'proxy:status': () => proxy.status(),
    'proxy:start': () => proxy.start(),
    'proxy:stop': () => proxy.stop(),
    'proxy:configure': (input) => proxy.configure(input),

    'prices:list': () => prices.list(),
    'prices:set': (input) => prices.set(input),
    'prices:remove': (input) => prices.remove(input),
    'prices:update': () => prices.update(),

    'usage:export': (input) => usage.export(input),
    'usage:models': (input) => usage.models(input),

    'alerts:list': () => alerts.list(),
  };
}
