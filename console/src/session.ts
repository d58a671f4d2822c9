// The signed-in user (GET /api/v1/auth/me) and what the role may do.
import { ApiError, del, get, post, put, setCsrfToken } from './api';
import { Language, language as currentLanguage, setLanguage } from './i18n';
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
  /** false: the user never saved a choice (the server's defaults are no choice); the browser decides. */
  chosen?: boolean;
}

const kStoredLanguage = 'bankrec.language';
const kStoredLocale = 'bankrec.locale';

/** The language chosen last in this browser: used until the server's preference is known. */
export function storedLanguage(): Language | null {
  const v = localStorage.getItem(kStoredLanguage);
  return v === 'de' || v === 'en' ? v : null;
}

/** The format chosen for numbers and dates ("" or null: the language's usual one). */
export function storedLocale(): string | null {
  return localStorage.getItem(kStoredLocale) || null;
}

/** The user's choice as the Settings page shows it (null: follow the browser / the language's usual format). */
export const choice = signal<{ language: Language | null; locale: string | null }>({ language: storedLanguage(), locale: storedLocale() });

/** Applies a choice at once and remembers it in this browser (the next start uses it before the server answers). */
function applyChoice(language: Language | null, userLocale: string | null): void {
  setLanguage(language, userLocale);
  if (language) localStorage.setItem(kStoredLanguage, language);
  else localStorage.removeItem(kStoredLanguage);
  if (userLocale) localStorage.setItem(kStoredLocale, userLocale);
  else localStorage.removeItem(kStoredLocale);
  choice.set({ language, locale: userLocale });
}

export async function loadPreferences(): Promise<void> {
  let p: Preferences;
  try {
    p = await get<Preferences>('/api/v1/me/preferences');
  } catch {
    // No preferences API on this server: this browser's choice stays.
    return setLanguage(storedLanguage(), storedLocale());
  }
  // Never chosen: the browser's languages decide (navigator.languages), not the server's defaults.
  if (p.chosen === false) return applyChoice(null, null);
  const language = p.language === 'de' || p.language === 'en' ? p.language : null;
  // A bare language tag ("de") stands for the language's usual format.
  applyChoice(language, p.locale && p.locale.includes('-') ? p.locale : null);
}

/** Applies the choice at once (and remembers it in this browser), then saves it for the user.
 *  language null: follow the browser; locale null: the language's usual format. */
export async function savePreferences(p: Preferences): Promise<void> {
  const language = p.language ?? null;
  const userLocale = p.locale || null;
  applyChoice(language, userLocale);
  if (!language && !userLocale) {
    await del('/api/v1/me/preferences');
    return;
  }
  // The server keeps a language with every locale: a format without a language fixes the language in force.
  const lang = language ?? currentLanguage.get();
  await put('/api/v1/me/preferences', { language: lang, locale: userLocale ?? lang });
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
