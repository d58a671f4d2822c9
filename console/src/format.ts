// Numbers, amounts and dates in the user's locale (Intl). Amounts arrive as exact decimal strings.
import { locale } from './i18n';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = locale.get() + '|n|' + key;
  let f = cache.get(id) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(locale.get(), options);
    cache.set(id, f);
  }
  return f;
}

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = locale.get() + '|d|' + key;
  let f = cache.get(id) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(locale.get(), options);
    cache.set(id, f);
  }
  return f;
}

/** "-1190.00" EUR → "-1.190,00 €" (de) / "-€1,190.00" (en); the string is formatted exactly. */
export function money(amount: string | number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const f = currency
    ? numberFormat('cur' + currency, { style: 'currency', currency, currencyDisplay: 'symbol' })
    : numberFormat('dec2', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // Intl formats a decimal string exactly (no float rounding) where supported.
  return f.format(amount as unknown as number);
}

export function num(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  return numberFormat('int', {}).format(n);
}

/** A file size: "958 B", "12 KB", "1,5 MB" (de) / "1.5 MB" (en). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return num(bytes) + ' B';
  if (bytes < 1024 * 1024) return num(Math.round(bytes / 1024)) + ' KB';
  return numberFormat('dec1', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(bytes / 1024 / 1024) + ' MB';
}

export function percent(fraction: number): string {
  return numberFormat('pct', { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

export function sign(amount: string | number | null | undefined): number {
  if (amount === null || amount === undefined) return 0;
  const n = Number(amount);
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

function parseDate(d: string): Date | null {
  // "YYYY-MM-DD" is a calendar day: shown as such, whatever the time zone.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  const t = new Date(d);
  return isNaN(t.getTime()) ? null : t;
}

export function date(d: string | null | undefined): string {
  if (!d) return '';
  const parsed = parseDate(d);
  if (!parsed) return d;
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(d);
  return dateFormat(dayOnly ? 'dayutc' : 'day', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(dayOnly ? { timeZone: 'UTC' } : {}),
  }).format(parsed);
}

export function dateTime(d: string | null | undefined): string {
  if (!d) return '';
  const parsed = parseDate(d);
  if (!parsed) return d;
  return dateFormat('dt', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(parsed);
}

export function period(from: string | null | undefined, to: string | null | undefined): string {
  if (!from && !to) return '';
  if (from === to) return date(from);
  return `${date(from)} – ${date(to)}`;
}

/** "DE89 3704 0044 0532 0130 00" */
export function iban(s: string | null | undefined): string {
  if (!s) return '';
  return s.replace(/\s+/g, '').replace(/(.{4})/g, '$1 ').trim();
}

/** An audit entry's detail (a JSON object from the server, or text) as one readable line:
 *  "job: 4 · created: true". Nested values stay compact JSON. */
export function detailText(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '';
  if (typeof detail !== 'object') return String(detail);
  if (Array.isArray(detail)) return detail.map(detailText).join(', ');
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}
