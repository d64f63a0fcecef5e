import i18next from 'i18next';
import type { ErrorParams, ErrorReason } from '../../../electron/shared/errors';
import { localizeMessage } from './schema-messages';

/** Anything the core answered with an English message, and maybe the reason and values to word it anew. */
export interface CoreMessage {
  message: string;
  reason?: ErrorReason | undefined;
  params?: ErrorParams | undefined;
}

/**
 * A core message in the UI language: worded from its `reason` and `params` (`errors.<reason>` in the language
 * files) when it has them, else the fixed-message map; English passes through unchanged.
 */
export function localizeError(error: CoreMessage, language: string = i18next.language ?? 'en'): string {
  const key = `errors.${error.reason}`;
  const params = error.params ?? {};
  const options = {
    ...params,
    lng: language,
    // A network failure's cause and an upstream's own message are worded apart, then put into the sentence.
    cause: params.cause === undefined ? '' : i18next.t(`errors.causes.${params.cause}`, { networkCode: '', ...params, lng: language }).trim(),
    detail: params.detail ? i18next.t('errors.detail', { detail: params.detail, lng: language }) : i18next.t('errors.noDetail', { lng: language }),
  };
  if (!error.reason || !i18next.exists(key, options)) return localizeMessage(error.message, language);
  return i18next.t(key, options);
}
