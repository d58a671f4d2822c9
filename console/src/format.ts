// Numbers, amounts and dates in the user's locale (Intl). Amounts arrive as exact decimal strings.
import { language, locale } from './i18n';

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

/** How the user's locale writes a day: the order of day, month and year and the separator, from
 *  Intl ("de-DE": day . month . year; "en-US": month / day / year), and the pattern shown as a
 *  placeholder in the user's language ("TT.MM.JJJJ", "DD/MM/YYYY"). */
export interface DayFormat {
  order: ('day' | 'month' | 'year')[];
  separator: string;
  pattern: string;
}

export function dayFormat(): DayFormat {
  const parts = dateFormat('dayutc', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' })
    .formatToParts(new Date(Date.UTC(2026, 0, 31)));
  const order: DayFormat['order'] = [];
  for (const p of parts) if (p.type === 'day' || p.type === 'month' || p.type === 'year') order.push(p.type);
  const separator = parts.find((p) => p.type === 'literal')?.value ?? '.';
  const letters = language.get() === 'de' ? { day: 'TT', month: 'MM', year: 'JJJJ' } : { day: 'DD', month: 'MM', year: 'YYYY' };
  const sure: DayFormat['order'] = order.length === 3 ? order : ['day', 'month', 'year'];
  return { order: sure, separator, pattern: sure.map((k) => letters[k]).join(separator) };
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const isoDay = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A day as typed by a person, in the order of the user's locale: "31.01.2026", "31.1.26",
 *  "31.01." (this year), "31012026", or ISO "2026-01-31" in any language. `ok` holds the ISO day,
 *  "" for an empty field; `error` says whether the text is no day at all or an impossible one
 *  (31.02.2026). `today` (ISO) supplies the year when none is typed. */
export type DayInput = { ok: string } | { error: 'format' | 'invalid' };

export function parseDay(text: string, today: string = new Date().toISOString().slice(0, 10)): DayInput {
  const s = text.trim();
  if (s === '') return { ok: '' };
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (iso) {
    [y, m, d] = [+iso[1], +iso[2], +iso[3]];
  } else {
    const order = dayFormat().order;
    let fields: string[];
    if (/^\d+$/.test(s)) {
      // Digits only: two for day and month each, the rest for the year (31012026, 310126, 3101).
      if (s.length !== 4 && s.length !== 6 && s.length !== 8) return { error: 'format' };
      const widths = { day: 2, month: 2, year: s.length - 4 };
      fields = [];
      let at = 0;
      for (const k of order) {
        if (widths[k] === 0) continue;
        fields.push(s.slice(at, at + widths[k]));
        at += widths[k];
      }
    } else {
      if (!/^\d{1,4}([./\- ]+\d{1,4}){1,2}[./\- ]*$/.test(s)) return { error: 'format' };
      fields = s.split(/[./\- ]+/).filter((f) => f !== '');
    }
    const keys = fields.length === 3 ? order : order.filter((k) => k !== 'year');
    if (fields.length !== keys.length) return { error: 'format' };
    const v: Record<string, string> = {};
    keys.forEach((k, i) => (v[k] = fields[i]));
    if (v.day.length > 2 || v.month.length > 2) return { error: 'format' };
    d = +v.day;
    m = +v.month;
    if (v.year === undefined) y = +today.slice(0, 4);
    else if (v.year.length === 2) y = 2000 + +v.year;
    else if (v.year.length === 4) y = +v.year;
    else return { error: 'format' };
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return { error: 'invalid' };
  return { ok: isoDay(y, m, d) };
}

/** An ISO day moved by `days` (negative: back), across months and years. */
export function addDays(day: string, days: number): string {
  const t = new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10) + days));
  return isoDay(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
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
