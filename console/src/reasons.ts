// The reconciliation engine explains its decisions in English (daemon/reconcile/src/explain.cpp,
// engine.cpp; the store adds a few for manual decisions). The engine stays byte-identical, so the
// console translates here: every server template as a pattern with typed placeholders, and its
// German (and display English) text. Amounts are shown with the line's currency in the user's
// locale, field names with the console's labels. Unknown text falls back to the server's English.
//
// Pure (no DOM, no imports): tests/e2e/reason_translations.mjs checks this table against the
// engine's sources and against every reason a generated day of bank lines produces.

export type ReasonLanguage = 'de' | 'en';

/** How placeholders are shown: the caller passes the user's number formats. */
export interface ReasonFormat {
  language: ReasonLanguage;
  /** "10.71" (the engine's decimal text) → "10,71 €" / "€10.71" in the line's currency. */
  money: (decimal: string) => string;
  /** 3 → "3" in the user's locale. */
  integer: (n: number) => string;
}

/** Placeholder kinds: `text` is shown as is, the others are formatted or translated. */
type Kind = 'text' | 'int' | 'money' | 'how' | 'field' | 'via' | 'evidence';

interface Template {
  /** The server's text with placeholders {name:kind}. */
  en: string;
  /** German text with the same placeholders (any order). */
  de: string;
  /** English as shown, when it reads better than the server's (same placeholders). */
  show?: string;
}

// How a document number was found in the text (text_scan.cpp, the `how` of a hit).
const how: Record<string, { de: string; en: string }> = {
  'payment reference': { de: 'Zahlungsreferenz', en: 'payment reference' },
  'document number': { de: 'Belegnummer', en: 'document number' },
  'document number written together': { de: 'Belegnummer (zusammengeschrieben)', en: 'document number written together' },
  'document number without its year': { de: 'Belegnummer ohne Jahr', en: 'document number without its year' },
  'document number with two digits swapped': { de: 'Belegnummer mit zwei vertauschten Ziffern', en: 'document number with two digits swapped' },
  'document number without series prefix': { de: 'Belegnummer ohne Serienkürzel', en: 'document number without series prefix' },
  'creditor reference': { de: 'Gläubigerreferenz (RF)', en: 'creditor reference' },
};

// The entry fields the engine reads (text_scan.cpp scan_field).
const field: Record<string, { de: string; en: string }> = {
  structured_reference: { de: 'strukturierte Referenz', en: 'structured reference' },
  end_to_end_id: { de: 'End-to-End-Referenz', en: 'end-to-end ID' },
  remittance: { de: 'Verwendungszweck', en: 'remittance information' },
};

// What recognised a recurring line (explain.cpp counter_booking).
const via: Template[] = [
  { en: 'transaction code GVC {code:text}', de: 'Geschäftsvorfallcode (GVC) {code}' },
  { en: 'transaction code {code:text}', de: 'Geschäftsvorfallcode {code}' },
  { en: 'counterparty name', de: 'Name der Gegenseite' },
  { en: 'purpose text', de: 'Verwendungszweck' },
];

// One part of the partner evidence (explain.cpp append_evidence_part); parts are joined by "; ".
const evidencePart: Template[] = [
  { en: "counterparty IBAN known for partner '{p:text}'", de: 'IBAN der Gegenseite ist Partner „{p}“ bekannt' },
  { en: 'customer number {c:text} cited', de: 'Kundennummer {c} genannt' },
  { en: "counterparty name equals partner '{p:text}'", de: 'Name der Gegenseite gleich Partner „{p}“' },
  {
    en: "counterparty name similar to partner '{p:text}' ({n:int}%)",
    de: 'Name der Gegenseite ähnlich Partner „{p}“ ({n} %)',
  },
];

const evidenceSuffix: [string, string][] = [
  [' (the only one of that name with an open item of this amount)', ' (als Einziger dieses Namens mit einem offenen Posten über diesen Betrag)'],
  [' (the only similar name with an open item of this amount)', ' (einziger ähnlicher Name mit einem offenen Posten über diesen Betrag)'],
];

/** Whole reasons, most specific first (a pattern is anchored at both ends). */
export const reasonTemplates: Template[] = [
  // explain.cpp render()
  { en: "counterparty IBAN belongs to partner '{p:text}', not to the items' partner", de: 'IBAN der Gegenseite gehört zu Partner „{p}“, nicht zum Partner der Posten' },
  { en: "payer 'unknown' is not known as the items' partner", de: 'Zahler ohne Namen ist nicht als Partner der Posten bekannt', show: "payer without a name is not known as the items' partner" },
  { en: "payer '{p:text}' is not known as the items' partner", de: 'Zahler „{p}“ ist nicht als Partner der Posten bekannt' },
  {
    en: "recurring line '{name:text}' recognised by {why:via}; booked to account {account:text}",
    de: 'Wiederkehrender Umsatz „{name}“, erkannt an {why}; gebucht auf Konto {account}',
  },
  { en: '{how:how} (read with a letter for a digit) {doc:text} in {f:field} (the citation fits {n:int} items)', de: '{how} {doc} im Feld {f} (ein Buchstabe als Ziffer gelesen; die Angabe passt zu {n} Posten)' },
  { en: '{how:how} (read with a letter for a digit) {doc:text} in {f:field}', de: '{how} {doc} im Feld {f} (ein Buchstabe als Ziffer gelesen)' },
  { en: '{how:how} {doc:text} in {f:field} (the citation fits {n:int} items)', de: '{how} {doc} im Feld {f} (die Angabe passt zu {n} Posten)' },
  { en: '{how:how} {doc:text} in {f:field}', de: '{how} {doc} im Feld {f}' },
  { en: '{n:int} document numbers listed: {docs:text}', de: '{n} Belegnummern aufgeführt: {docs}' },
  { en: 'the purpose text cites another document', de: 'Der Verwendungszweck nennt einen anderen Beleg' },
  { en: "the only combination of the partner's open items that adds up to the amount", de: 'Die einzige Kombination offener Posten des Partners, die den Betrag ergibt' },
  { en: "a combination of the partner's open items adds up to the amount", de: 'Eine Kombination offener Posten des Partners ergibt den Betrag' },
  { en: 'the only open item of this amount', de: 'Der einzige offene Posten über diesen Betrag' },
  { en: "the partner's only open item of this amount", de: 'Der einzige offene Posten des Partners über diesen Betrag' },
  { en: '{n:int} open items of the partner have this amount', de: '{n} offene Posten des Partners haben diesen Betrag' },
  { en: "the partner's only open item the amount fits after cash discount", de: 'Der einzige offene Posten des Partners, zu dem der Betrag nach Skonto passt' },
  { en: "the partner's open item closest to the amount", de: 'Der offene Posten des Partners, der dem Betrag am nächsten kommt' },
  { en: 'returned payment ({r:text}): the item reopens and is flagged for dunning', de: 'Rückbuchung ({r}): der Posten ist wieder offen und zur Mahnung vorgemerkt' },
  { en: 'returned payment: the item reopens and is flagged for dunning', de: 'Rückbuchung: der Posten ist wieder offen und zur Mahnung vorgemerkt' },
  { en: "currency {c:text} differs from the line's", de: 'Währung {c} weicht von der des Umsatzes ab' },
  { en: 'already settled by an earlier line of this run (double payment?)', de: 'Bereits durch einen früheren Umsatz dieses Laufs ausgeglichen (Doppelzahlung?)' },
  { en: 'direction does not fit the items', de: 'Zahlungsrichtung passt nicht zu den Posten' },
  { en: 'amount equal', de: 'Betrag stimmt überein' },
  { en: 'cash discount {m:money} taken within the discount period', de: 'Skonto {m} innerhalb der Skontofrist abgezogen' },
  { en: 'payment service provider fee {m:money} deducted', de: 'Gebühr des Zahlungsdienstleisters {m} abgezogen' },
  { en: "bank fees {m:money} deducted by the payer's bank", de: 'Bankgebühren {m} von der Bank des Zahlers abgezogen' },
  { en: 'amount short by {m:money} for the listed items', de: 'Betrag um {m} zu niedrig für die aufgeführten Posten' },
  { en: 'partial payment: {m:money} stays open', de: 'Teilzahlung: {m} bleiben offen' },
  { en: 'another open item of the partner has exactly this amount', de: 'Ein anderer offener Posten des Partners hat genau diesen Betrag' },
  { en: 'overpaid by {m:money} (small difference)', de: 'Um {m} überzahlt (kleine Differenz)' },
  { en: 'overpaid by {m:money}; the rest stays unapplied', de: 'Um {m} überzahlt; der Rest bleibt unverrechnet' },
  // engine.cpp decide() and Engine::run
  { en: 'no open item, reference or rule fits this line', de: 'Kein offener Posten, keine Referenz und keine Regel passt zu diesem Umsatz' },
  { en: 'no candidate reaches the suggestion minimum of {n:int}', de: 'Kein Kandidat erreicht den Mindestwert {n} für Vorschläge' },
  { en: 'score {s:int} below the auto threshold {t:int}', de: 'Wert {s} unter der Schwelle {t} für automatisches Buchen' },
  { en: 'only {d:int} points ahead of the next candidate (margin {m:int})', de: 'Nur {d} Punkte vor dem nächsten Kandidaten (nötiger Abstand {m})' },
  { en: "rule '{r:text}' runs in shadow mode: it would post this line automatically", de: 'Regel „{r}“ läuft im Probebetrieb: sie würde diesen Umsatz automatisch buchen' },
  { en: "rule '{r:text}' only suggests", de: 'Regel „{r}“ schlägt nur vor' },
  { en: 'needs a person to confirm', de: 'Muss von einer Person bestätigt werden' },
  { en: "rule '{r:text}'", de: 'Regel „{r}“' },
  // the store's manual decisions (reconcile_repo.cpp, console_admin_repo.cpp)
  { en: 'manual split', de: 'Von Hand aufgeteilt' },
  { en: 'no match', de: 'Keine Zuordnung' },
  { en: 'no match: {why:text}', de: 'Keine Zuordnung: {why}' },
  { en: 'undo of match {n:int}', de: 'Rücknahme der Zuordnung {n}' },
  { en: 'manual match with write-off: {why:text}', de: 'Von Hand zugeordnet mit Ausbuchung: {why}' },
  // partner evidence alone or joined (explain.cpp evidence())
  { en: '{e:evidence}', de: '{e}' },
];

/** Write-off reasons (explain.cpp render_writeoff); a person's own reason stays as typed. */
export const writeoffTemplates: Template[] = [
  { en: 'cash discount', de: 'Skonto' },
  { en: 'payment service provider fee', de: 'Gebühr des Zahlungsdienstleisters' },
  { en: 'bank fees deducted', de: 'Abgezogene Bankgebühren' },
  { en: 'small overpayment', de: 'Geringe Überzahlung' },
  { en: 'counter-booking: {name:text}', de: 'Gegenbuchung: {name}' },
];

interface Compiled {
  t: Template;
  re: RegExp;
  names: string[];
  kinds: Kind[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (keys: string[]) => '(' + [...keys].sort((a, b) => b.length - a.length).map(escape).join('|') + ')';
// A closed set is matched as such: "document number written together X" is never read as how = "document".
const patterns: Partial<Record<Kind, string>> = {
  int: '(\\d+)',
  money: '(-?\\d+(?:\\.\\d+)?)',
  how: alternatives(Object.keys(how)),
  field: alternatives(Object.keys(field)),
};

function compile(list: Template[]): Compiled[] {
  return list.map((t) => {
    const names: string[] = [];
    const kinds: Kind[] = [];
    let source = '';
    let last = 0;
    for (const m of t.en.matchAll(/\{(\w+):(\w+)\}/g)) {
      source += escape(t.en.slice(last, m.index));
      names.push(m[1]);
      kinds.push(m[2] as Kind);
      source += patterns[m[2] as Kind] ?? '(.+?)';
      last = (m.index ?? 0) + m[0].length;
    }
    source += escape(t.en.slice(last));
    return { t, re: new RegExp('^' + source + '$', 's'), names, kinds };
  });
}

let compiled: { reasons: Compiled[]; writeoffs: Compiled[]; via: Compiled[]; evidence: Compiled[] } | null = null;

function tables() {
  compiled ??= {
    reasons: compile(reasonTemplates),
    writeoffs: compile(writeoffTemplates),
    via: compile(via),
    evidence: compile(evidencePart),
  };
  return compiled;
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)(?::\w+)?\}/g, (_, name: string) => values[name] ?? '');
}

/** The placeholder's text for the user, or null when it is not one this table knows. */
function value(kind: Kind, raw: string, f: ReasonFormat): string | null {
  switch (kind) {
    case 'text':
      return raw;
    case 'int':
      return f.integer(Number(raw));
    case 'money':
      return f.money(raw);
    case 'how':
      return how[raw]?.[f.language] ?? null;
    case 'field':
      return field[raw]?.[f.language] ?? null;
    case 'via':
      return apply(tables().via, raw, f);
    case 'evidence':
      return evidence(raw, f);
  }
}

function apply(list: Compiled[], text: string, f: ReasonFormat): string | null {
  for (const c of list) {
    const m = c.re.exec(text);
    if (!m) continue;
    const values: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < c.names.length && ok; i++) {
      const v = value(c.kinds[i], m[i + 1], f);
      if (v === null) ok = false;
      else values[c.names[i]] = v;
    }
    if (!ok) continue;
    const out = f.language === 'de' ? c.t.de : c.t.show ?? c.t.en;
    return fill(out, values);
  }
  return null;
}

/** "A; B (suffix)": every part must be a known evidence part. */
function evidence(text: string, f: ReasonFormat): string | null {
  let rest = text;
  let suffix = '';
  for (const [en, de] of evidenceSuffix) {
    if (rest.endsWith(en)) {
      rest = rest.slice(0, -en.length);
      suffix = f.language === 'de' ? de : en;
      break;
    }
  }
  const parts = rest.split('; ');
  const out: string[] = [];
  for (const p of parts) {
    const v = apply(tables().evidence, p, f);
    if (v === null) return null;
    out.push(v);
  }
  return out.join('; ') + suffix;
}

/** The reason in the user's language, or null when no template fits (then show the server's text). */
export function translateReason(text: string, f: ReasonFormat): string | null {
  return apply(tables().reasons, text, f);
}

/** A write-off reason in the user's language, or null for a reason a person typed. */
export function translateWriteoff(text: string, f: ReasonFormat): string | null {
  return apply(tables().writeoffs, text, f);
}

/** Every English text this table knows, for the coverage test: templates, and the closed sets. */
export function knownServerTexts(): { templates: string[]; how: string[]; fields: string[] } {
  return {
    templates: [
      ...reasonTemplates, ...writeoffTemplates, ...via, ...evidencePart,
    ].map((t) => t.en).concat(evidenceSuffix.map(([en]) => en)),
    how: Object.keys(how),
    fields: Object.keys(field),
  };
}
