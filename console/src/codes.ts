// The daemon's machine codes that the console shows, in the user's language: the operation a
// connector's request was for (the connection log: daemon/connectors/src, the `operation` of
// ConnectorContext::send), its outcome (ok, net::http_errc_name, http_<status>), the kinds of
// jobs (daemon/store/src/jobs_repo.cpp) and the actions of the audit log (AuditRecord::action). Pages show the text with the raw code as a tooltip; an
// unknown code is shown as it is. tests/e2e/code_translations.mjs fails when the C++ side writes a
// code that has no entry here.
import { language } from './i18n';

type Texts = Record<string, { en: string; de: string }>;

/** What a connector's request to the bank was for. */
export const operations: Texts = {
  token: { en: 'Access token', de: 'Zugriffstoken' },
  refresh: { en: 'Token renewal', de: 'Token-Erneuerung' },
  'oauth-metadata': { en: "Bank's sign-in settings", de: 'Anmeldeeinstellungen der Bank' },
  user: { en: 'User at the provider', de: 'Benutzer beim Anbieter' },
  consent: { en: 'Consent', de: 'Zustimmung' },
  'consent-authorisation': { en: 'Consent authorisation', de: 'Freigabe der Zustimmung' },
  'consent-status': { en: 'Consent status', de: 'Status der Zustimmung' },
  items: { en: 'Bank connections', de: 'Bankverbindungen' },
  item: { en: 'Bank connection', de: 'Bankverbindung' },
  accounts: { en: 'Accounts', de: 'Konten' },
  account: { en: 'Account', de: 'Konto' },
  balances: { en: 'Balances', de: 'Salden' },
  transactions: { en: 'Transactions', de: 'Umsätze' },
  'transactions-download': { en: 'Transactions (download)', de: 'Umsätze (Download)' },
};

/** How a request ended: "ok", a transport failure (net::http_errc_name) or http_<status>. */
export const outcomes: Texts = {
  ok: { en: 'OK', de: 'OK' },
  network: { en: 'Network error', de: 'Netzwerkfehler' },
  timeout: { en: 'Timeout', de: 'Zeitüberschreitung' },
  tls: { en: 'TLS error', de: 'TLS-Fehler' },
  too_large: { en: 'Answer too large', de: 'Antwort zu groß' },
  invalid_request: { en: 'Invalid request', de: 'Ungültige Anfrage' },
  http_status: { en: 'HTTP error', de: 'HTTP-Fehler' },
  unknown: { en: 'Unknown error', de: 'Unbekannter Fehler' },
};

/** The kinds of background jobs (fetch from a bank, import a file, ...). */
export const jobKinds: Texts = {
  fetch: { en: 'Fetch from the bank', de: 'Abruf von der Bank' },
  import: { en: 'File import', de: 'Dateiimport' },
  reconcile: { en: 'Reconciliation', de: 'Abgleich' },
  notify: { en: 'Notification', de: 'Benachrichtigung' },
  health: { en: 'Health check', de: 'Systemprüfung' },
};

/** What an audit entry records ("reconcile.accept"). */
export const auditActions: Texts = {
  'alert.acknowledge': { en: 'Alert acknowledged', de: 'Warnung bestätigt' },
  'auth.lockout': { en: 'Locked after failed sign-ins', de: 'Nach Fehlversuchen gesperrt' },
  'auth.login': { en: 'Signed in', de: 'Angemeldet' },
  'auth.login_failed': { en: 'Sign-in failed', de: 'Anmeldung fehlgeschlagen' },
  'auth.logout': { en: 'Signed out', de: 'Abgemeldet' },
  'auth.logout_all': { en: 'Signed out everywhere', de: 'Überall abgemeldet' },
  'auth.recovery_code': { en: 'Recovery code used', de: 'Wiederherstellungscode verwendet' },
  'auth.step_up': { en: 'Confirmed with a one-time code', de: 'Mit Einmalcode bestätigt' },
  'connector.configure': { en: 'Connector configured', de: 'Bankanbindung eingerichtet' },
  'connector.consent': { en: 'Consent renewed', de: 'Zustimmung erneuert' },
  'connector.gap_open': { en: 'Gap in the fetched days found', de: 'Lücke im Abruf erkannt' },
  'connector.gap_close': { en: 'Gap in the fetched days closed', de: 'Lücke im Abruf geschlossen' },
  'connector.run': { en: 'Fetch ran', de: 'Abruf gelaufen' },
  'connector.run_now': { en: 'Fetch started by hand', de: 'Abruf von Hand gestartet' },
  'connector.secret': { en: 'Connector credentials changed', de: 'Zugangsdaten der Anbindung geändert' },
  'db.backup': { en: 'Database backed up', de: 'Datenbank gesichert' },
  'db.rekey': { en: 'Database key changed', de: 'Datenbankschlüssel gewechselt' },
  'dead_letter.dismiss': { en: 'Failed job dismissed', de: 'Gescheiterter Auftrag verworfen' },
  'dead_letter.retry': { en: 'Failed job retried', de: 'Gescheiterter Auftrag wiederholt' },
  'entries.expire_pending': { en: 'Pending lines expired', de: 'Vorgemerkte Umsätze verfallen' },
  'upload.file': { en: 'File uploaded', de: 'Datei hochgeladen' },
  'import.file': { en: 'File imported', de: 'Datei importiert' },
  'import.failed': { en: 'Import failed', de: 'Import gescheitert' },
  'import.duplicate_file': { en: 'Duplicate file', de: 'Doppelte Datei' },
  'open_items.import': { en: 'Open items imported', de: 'Offene Posten importiert' },
  'reconcile.run': { en: 'Reconciliation ran', de: 'Abgleich gelaufen' },
  'reconcile.accept': { en: 'Suggestion accepted', de: 'Vorschlag übernommen' },
  'reconcile.no_match': { en: 'Marked as no match', de: 'Als nicht zuordenbar markiert' },
  'reconcile.split': { en: 'Matched by hand', de: 'Von Hand zugeordnet' },
  'reconcile.undo': { en: 'Decision undone', de: 'Entscheidung zurückgenommen' },
  'reconcile.writeoff': { en: 'Write-off', de: 'Ausbuchung' },
  'reconcile.rule_proposal': { en: 'Rule proposed', de: 'Regel vorgeschlagen' },
  'reconcile.rule_backtest': { en: 'Rule tried on past lines', de: 'Regel an früheren Umsätzen erprobt' },
  'reconcile.rule_approve': { en: 'Rule approved', de: 'Regel freigegeben' },
  'rules.update': { en: 'Rules changed', de: 'Regeln geändert' },
  'schema.migrate': { en: 'Database schema updated', de: 'Datenbankschema aktualisiert' },
  'system.init': { en: 'Database created', de: 'Datenbank angelegt' },
  'token.create': { en: 'API token created', de: 'API-Token erstellt' },
  'token.revoke': { en: 'API token revoked', de: 'API-Token widerrufen' },
  'user.create': { en: 'User created', de: 'Benutzer angelegt' },
  'user.disable': { en: 'User disabled', de: 'Benutzer deaktiviert' },
  'user.enable': { en: 'User enabled', de: 'Benutzer aktiviert' },
  'user.unlock': { en: 'User unlocked', de: 'Benutzer entsperrt' },
  'user.role': { en: 'Role changed', de: 'Rolle geändert' },
  'user.password': { en: 'Password changed', de: 'Passwort geändert' },
  'user.password_rehash': { en: 'Password hash renewed', de: 'Passwort-Hash erneuert' },
  'user.preferences': { en: 'Preferences changed', de: 'Einstellungen geändert' },
  'user.totp_begin': { en: 'Two-factor set-up started', de: 'Zwei-Faktor-Einrichtung begonnen' },
  'user.totp_enrol': { en: 'Two-factor set up', de: 'Zwei-Faktor eingerichtet' },
  'user.totp_reset': { en: 'Two-factor reset', de: 'Zwei-Faktor zurückgesetzt' },
};

function text(table: Texts, code: string | null | undefined): string {
  if (!code) return '';
  const entry = Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;
  return entry ? entry[language.get()] : code;
}

export const operationText = (code: string | null | undefined): string => text(operations, code);
export const jobKindText = (code: string | null | undefined): string => text(jobKinds, code);
export const auditActionText = (code: string | null | undefined): string => text(auditActions, code);

/** An outcome; "http_503" is the HTTP error with its status ("HTTP-Fehler 503"). */
export function outcomeText(code: string | null | undefined): string {
  const http = /^http_(\d{3})$/.exec(code ?? '');
  if (http) return text(outcomes, 'http_status') + ' ' + http[1];
  return text(outcomes, code);
}
