// The signed-in user (GET /api/v1/auth/me) and what the role may do.
import { ApiError, get, post, put, setCsrfToken } from './api';
import { Language, setLanguage } from './i18n';
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

export async function loadPreferences(): Promise<void> {
  try {
    const p = await get<Preferences>('/api/v1/me/preferences');
    setLanguage(p.language || storedLanguage(), p.locale || null);
  } catch {
    // No preferences API on this server, or none saved: this browser's choice stays.
  }
}

/** Applies the choice at once (and remembers it in this browser), then saves it for the user. */
export async function savePreferences(p: Preferences): Promise<void> {
  setLanguage(p.language ?? null, p.locale ?? null);
  if (p.language) localStorage.setItem(kStoredLanguage, p.language);
  else localStorage.removeItem(kStoredLanguage);
  await put('/api/v1/me/preferences', p);
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
