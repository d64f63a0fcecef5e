import dayjs from 'dayjs';
import localizedFormat from 'dayjs/plugin/localizedFormat';
import relativeTime from 'dayjs/plugin/relativeTime';
import 'dayjs/locale/zh-cn';

dayjs.extend(relativeTime);
dayjs.extend(localizedFormat);

/** Sets dayjs's locale to follow the UI language. */
export function setDateLocale(language: string): void {
  dayjs.locale(language.startsWith('zh') ? 'zh-cn' : 'en');
}

/** A local date and time, e.g. "Fri, Nov 27, 2026 3:30 PM". */
export function formatDateTime(iso: string): string {
  return dayjs(iso).format('llll');
}

/** A request's time, densely: "3:33:12 PM" today, "11/25/2026 3:33:12 PM" before. */
export function formatRequestTime(iso: string, now: number = Date.now()): string {
  const at = dayjs(iso);
  return at.isSame(dayjs(now), 'day') ? at.format('LTS') : at.format('L LTS');
}

/** "in 3 days", "5 minutes ago". */
export function fromNow(iso: string, now: number = Date.now()): string {
  return dayjs(iso).from(dayjs(now));
}

/** "5 minutes ago" for something that already happened (a clock a little behind the server's never says "in"). */
export function ago(iso: string, now: number = Date.now()): string {
  return dayjs(iso).from(dayjs(Math.max(now, Date.parse(iso))));
}

/** Milliseconds, to a precision that reads well: "0.5 ms", "34 ms", "1,234 ms". */
export function formatLatency(ms: number, language: string): string {
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: ms < 10 ? 1 : 0 }).format(ms)} ms`;
}

/** 1,234 in the UI language's grouping. */
export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language).format(value);
}

/** A size on disk in the UI language's digits: "812 KB", "1.5 MB", "2.3 GB" (units of 1,024). */
export function formatBytes(bytes: number, language: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1 }).format(value)} ${units[unit]}`;
}
