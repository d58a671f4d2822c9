// The signed-in user (GET /api/v1/auth/me) and what the role may do.
import { ApiError, get, post, put, setCsrfToken } from './api';
import { Language, locale, setLanguage } from './i18n';
import { signal } from './signal';

export interface User {
  id: number;
  name: string;
  role: 'viewer' | 'accountant' | 'approver' | 'admin';
  totp_enrolled: boolean;
  totp_required: boolean;
  permissions: string[];
}

export interface Me {
  user: User;
  csrf_token: string;
  expires_at: string;
  step_up_fresh: boolean;
  enrolment_needed: boolean;
}

/** null: signed out; undefined: not known yet (first load). */
export const session = signal<Me | null | undefined>(undefined);

export function can(permission: string): boolean {
  return session.get()?.user.permissions.includes(permission) ?? false;
}

export function accept(me: Me): void {
  setCsrfToken(me.csrf_token);
  session.set(me);
}

export async function loadSession(): Promise<void> {
  try {
    accept(await get<Me>('/api/v1/auth/me'));
    await loadPreferences();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      setCsrfToken('');
      session.set(null);
      return;
    }
    throw e;
  }
}

export interface Preferences {
  language?: Language | null;
  locale?: string | null;
}

const kStoredLanguage = 'bankrec.language';

/** The language chosen last in this browser: used until the server's preference is known. */
export function storedLanguage(): Language | null {
  const v = localStorage.getItem(kStoredLanguage);
  return v === 'de' || v === 'en' ? v : null;
}

// What GET /me/preferences answers for a user who never chose: then the browser decides (a German
// browser gets German, not the server's English default).
const kUnchosen = { language: 'en', locale: 'en-GB' } as const;
const kStoredLocale = 'bankrec.locale';

/** The format chosen for numbers and dates ("" or null: the language's usual one). */
export function storedLocale(): string | null {
  return localStorage.getItem(kStoredLocale) || null;
}

export async function loadPreferences(): Promise<void> {
  try {
    const p = await get<Preferences>('/api/v1/me/preferences');
    const unchosen = p.language === kUnchosen.language && p.locale === kUnchosen.locale && storedLanguage() !== 'en';
    if (unchosen) return setLanguage(storedLanguage(), storedLocale());
    // A locale of another language than the chosen one is the server's default, not a choice.
    const fits = !!p.locale && !!p.language && p.locale.toLowerCase().startsWith(p.language);
    const chosenLocale = fits || p.locale !== kUnchosen.locale ? p.locale || null : null;
    setLanguage(p.language || storedLanguage(), chosenLocale);
    // This browser remembers the user's choice (the Settings page shows it; the next start uses it at once).
    if (p.language) localStorage.setItem(kStoredLanguage, p.language);
  } catch {
    // No preferences API on this server, or none saved: this browser's choice stays.
  }
}

/** Applies the choice at once (and remembers it in this browser), then saves it for the user.
 *  language null: follow the browser; locale null: the language's usual format. */
export async function savePreferences(p: Preferences): Promise<void> {
  setLanguage(p.language ?? null, p.locale ?? null);
  if (p.language) localStorage.setItem(kStoredLanguage, p.language);
  else localStorage.removeItem(kStoredLanguage);
  if (p.locale) localStorage.setItem(kStoredLocale, p.locale);
  else localStorage.removeItem(kStoredLocale);
  // The server keeps a language and a locale; "follow the browser" is its unchosen pair.
  const body = p.language ? { language: p.language, locale: p.locale || locale.get() } : { ...kUnchosen };
  await put('/api/v1/me/preferences', body);
}

export async function signOut(everywhere = false): Promise<void> {
  try {
    await post(everywhere ? '/api/v1/auth/logout-all' : '/api/v1/auth/logout');
  } finally {
    setCsrfToken('');
    session.set(null);
    location.hash = '#/';
  }
}
