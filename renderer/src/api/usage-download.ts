import type { UsageExport } from '../../../electron/shared/types';
import { ApiError } from './api-error';

/** Where the headless server streams the usage log as CSV (admin-api.ts `USAGE_EXPORT_PATH`). */
export const USAGE_EXPORT_PATH = '/admin/api/usage/export';

/** Data rows of a CSV (RFC 4180: a line break inside quotes is part of a field), the header line not counted. */
export function csvRows(text: string): number {
  let lines = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 34) quoted = !quoted;
    else if (char === 10 && !quoted) lines++;
  }
  if (text.length > 0 && !text.endsWith('\n')) lines++;
  return Math.max(0, lines - 1);
}

/**
 * usage:export in a browser: there is no save dialog to answer, so the CSV is fetched with the admin token (a link
 * cannot carry the bearer header) and handed to the browser as a download named after today.
 */
export async function downloadUsageCsv(
  doFetch: typeof fetch,
  origin: string,
  headers: Record<string, string>,
  input: { subkeyId?: string | undefined; before?: number | undefined },
): Promise<UsageExport> {
  const query = new URLSearchParams();
  if (input.subkeyId !== undefined) query.set('subkeyId', input.subkeyId);
  if (input.before !== undefined) query.set('before', String(input.before));
  let response: Response;
  try {
    response = await doFetch(`${origin}${USAGE_EXPORT_PATH}${query.size > 0 ? `?${query.toString()}` : ''}`, { headers });
  } catch {
    throw new ApiError({ code: 'INTERNAL', message: 'Keygate cannot be reached. Is the server still running?' });
  }
  if (!response.ok) throw new ApiError({ code: response.status === 401 ? 'UNAUTHORIZED' : 'INTERNAL', message: `The server answered ${response.status}.` });
  const text = await response.text();
  const name = `keygate-usage-${new Date().toISOString().slice(0, 10)}.csv`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // After the click the browser holds the download; revoking later keeps slow browsers from losing it.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return { path: name, rows: csvRows(text) };
}
