import { AppError, fieldError } from '../../shared/errors';
import type { ChannelParsed } from '../../shared/contract';
import type { PriceList } from '../../shared/types';
import { priceDataDate, updatePriceData } from '../budgets/price-data';
import type { Database } from '../store/database';
import { deleteCustomPrice, listCustomPrices, putCustomPrice } from '../store/prices-repo';
import { getUpstream } from '../store/upstreams-repo';

/** prices:* — the price data's date, custom prices per upstream and model, and fetching newer price data. */
export function createPricesService(deps: { db: Database; now?: () => number; priceDataUrl?: string }) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  function list(): PriceList {
    return { ...priceDataDate(db), custom: listCustomPrices(db) };
  }

  return {
    list,

    set(input: ChannelParsed<'prices:set'>): PriceList {
      db.transaction(() => {
        if (!getUpstream(db, input.upstreamId)) throw fieldError('upstreamId', 'Choose an existing upstream');
        putCustomPrice(db, {
          upstreamId: input.upstreamId,
          model: input.model,
          inputPerMillion: input.inputPerMillion,
          cachedInputPerMillion: input.cachedInputPerMillion ?? null,
          outputPerMillion: input.outputPerMillion,
        });
      }).immediate();
      return list();
    },

    remove(input: ChannelParsed<'prices:remove'>): PriceList {
      if (!deleteCustomPrice(db, input.upstreamId, input.model)) throw new AppError('NOT_FOUND', `No custom price for ${input.model.slice(0, 100)} on that upstream.`);
      return list();
    },

    async update(): Promise<PriceList> {
      await updatePriceData(db, now(), deps.priceDataUrl);
      return list();
    },
  };
}
