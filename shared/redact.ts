/**
 * The detectors: personal data and secrets in one free text, replaced by typed placeholders, before a
 * rating leaves the device (the extension calls it before queueing) and before text that programs
 * send is stored (the server). A feedback record's texts are redacted field by field in
 * redact-feedback.ts; the "hashes only" mode is hashes-only.ts. Pure TypeScript: no DOM, no Node
 * built-ins, so it runs in the extension background and on the server.
 *
 * Placeholder scheme (stable; tests, exports and the dashboard may rely on it):
 *   personal data  `[EMAIL]` `[PHONE]` `[CARD]` `[IBAN]` `[IP]`
 *   secrets        `[SECRET:<kind>]`, e.g. `[SECRET:openai]`, `[SECRET:private_key]`
 * A placeholder never matches any detector, so redacting twice gives the same text as once.
 *
 * Detectors run in a fixed order, most specific first: secrets (a private key block can hold
 * anything; a JWT or an API key can contain digit runs that look like phone or card numbers), then
 * emails, IBANs, cards, IP addresses and phone numbers last, since its shapes are the loosest.
 *
 * Every pattern is written to run in linear time on hostile input: candidates may only start at a
 * token boundary (a one-character lookbehind), repetitions are either bounded or separated by a
 * delimiter that cannot be consumed twice, and checks that need arithmetic (Luhn, mod-97, IPv6
 * structure, phone shapes) run in plain code on the candidate. See docs/decisions for why these are
 * hand-written rather than a library.
 *
 * Known limits (by design, to keep false positives low): card numbers must start with 2–6 (Visa,
 * Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro); numbers written with full-width digits,
 * phone numbers without any separator (unless they start with 0), emails with non-ASCII local parts
 * and IPv6 loopback `::1` are not redacted. A 4-part version number such as `1.2.3.4` is an IPv4 address.
 */
const SECRET_KINDS = [
  'private_key',
  'jwt',
  'anthropic',
  'openai',
  'github',
  'aws_access_key',
  'aws_secret_key',
  'slack',
] as const;
const PII_KINDS = ['email', 'iban', 'card', 'ip', 'phone'] as const;
/** Every kind, in the order the detectors run. */
export const REDACTION_KINDS = [...SECRET_KINDS, ...PII_KINDS] as const;

type SecretKind = (typeof SECRET_KINDS)[number];
type PiiKind = (typeof PII_KINDS)[number];
export type RedactionKind = SecretKind | PiiKind;
export type RedactionCounts = Record<RedactionKind, number>;

export interface RedactOptions {
  /** The kinds to redact; all of them when absent. */
  kinds?: readonly RedactionKind[];
}

interface RedactResult {
  text: string;
  /** How many of each kind were replaced (every kind present, 0 when none). */
  counts: RedactionCounts;
}

const SECRET_SET: ReadonlySet<string> = new Set(SECRET_KINDS);

/** The placeholder that replaces one finding of `kind`. */
export function placeholder(kind: RedactionKind): string {
  return SECRET_SET.has(kind) ? `[SECRET:${kind}]` : `[${kind.toUpperCase()}]`;
}

export function emptyCounts(): RedactionCounts {
  return Object.fromEntries(REDACTION_KINDS.map((k) => [k, 0])) as RedactionCounts;
}

export function addCounts(into: RedactionCounts, more: RedactionCounts): RedactionCounts {
  for (const k of REDACTION_KINDS) into[k] += more[k];
  return into;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** Luhn checksum over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * IBAN lengths per country (SWIFT IBAN registry). A country in this table must have exactly this
 * length; another two-letter code is accepted on the mod-97 check alone (partner schemes).
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** An IBAN without spaces: country, check digits, BBAN; length per country and ISO 7064 mod-97. */
export function ibanValid(compact: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected !== undefined && compact.length !== expected) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    // Letters count as two digits (A = 10 … Z = 35).
    if (c >= 65) rest = (rest * 100 + (c - 55)) % 97;
    else rest = (rest * 10 + (c - 48)) % 97;
  }
  return rest === 1;
}

const IPV4_EXACT = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/**
 * A full or compressed IPv6 address (optionally ending in an IPv4 address). Compressed forms also
 * need two groups and a digit, so C++/Rust paths (`abc::def`) and the loopback `::1` stay.
 */
export function ipv6Valid(s: string): boolean {
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    if (!IPV4_EXACT.test(s.slice(lastColon + 1))) return false;
    body = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => HEX_GROUP.test(g))) return false;
  if (halves.length === 1) return groups.length === 8;
  return groups.length <= 7 && groups.length >= 2 && /\d/.test(s);
}

const NANP = /^(?:1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}$/;
const TRUNK_ZERO = /^(?:\(0\d{1,4}\)|0\d{1,4})(?:[ -]?\d{2,8}){1,4}$/;
const FRENCH_DOTTED = /^0\d(?:\.\d{2}){4}$/;

/**
 * Phone-number shapes: international (`+` or `00`, 8–15 digits), North American with separators,
 * and national numbers with a trunk 0 (UK, Japan, Germany, France…). Dates, versions, thousands
 * groupings and plain digit runs not starting with 0 do not fit any of them.
 */
function phoneShaped(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  if (s.startsWith('+') || (s.startsWith('00') && /^00\d{1,3}[ (.-]/.test(s))) {
    const n = s.startsWith('+') ? digits.length : digits.length - 2;
    return n >= 8 && n <= 15 && /\d{2}/.test(s) && !/[.].*[.].*[.].*[.]/.test(s) && balancedParens(s);
  }
  if (digits.length < 9 || digits.length > 12) return false;
  if (/^\d+$/.test(s)) return s[0] === '0' && s[1] !== '0' && (digits.length === 10 || digits.length === 11);
  if (NANP.test(s)) return true;
  if (s.includes('.')) return FRENCH_DOTTED.test(s);
  return TRUNK_ZERO.test(s);
}

function balancedParens(s: string): boolean {
  const open = s.indexOf('(');
  const close = s.indexOf(')');
  if (open === -1 && close === -1) return true;
  return open !== -1 && close > open + 1 && s.indexOf('(', open + 1) === -1 && s.indexOf(')', close + 1) === -1;
}

/**
 * How cards are written: one run of digits, groups of four (the last may be shorter: 13- and
 * 19-digit cards), or Amex / Diners 4-6-5 and 4-6-4. Tables of small numbers do not fit.
 * `lengths` are the digit counts of the groups from i to j.
 */
function cardShaped(lengths: readonly number[], i: number, j: number): boolean {
  if (i === j) return true;
  const n = j - i + 1;
  if (n === 3 && lengths[i] === 4 && lengths[i + 1] === 6 && (lengths[j] === 5 || lengths[j] === 4)) return true;
  if (n < 4 || n > 5) return false;
  for (let k = i; k < j; k++) if (lengths[k] !== 4) return false;
  return lengths[j]! >= 1 && lengths[j]! <= 4;
}

function cardValid(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  const first = digits.charCodeAt(0) - 48;
  return first >= 2 && first <= 6 && luhnValid(digits);
}

// ---------------------------------------------------------------------------------------------
// Detectors
// ---------------------------------------------------------------------------------------------

/** Replaces one finding and counts it. */
type Hit = () => string;

interface Detector {
  kind: RedactionKind;
  apply(text: string, hit: Hit): string;
}

/**
 * What to put in place of a match: a string for the whole match (the match itself keeps it), or a
 * replacement for its first `consumed` characters, after which scanning resumes (0: nothing
 * replaced, resume one character further, e.g. where a candidate ran over the start of another).
 */
type Replacement = string | { replacement: string; consumed: number };

/**
 * Replaces the matches of a global regex by what `fn` returns. Written as an exec loop so `fn`
 * sees the index and the whole input, and can ask for the rest of a match to be scanned again.
 */
function replaceMatches(text: string, re: RegExp, fn: (m: RegExpExecArray, input: string) => Replacement): string {
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let changed = false;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const r = fn(m, text);
    const replacement = typeof r === 'string' ? r : r.replacement;
    const consumed = typeof r === 'string' ? m[0].length : r.consumed;
    if (consumed > 0 && replacement !== m[0].slice(0, consumed)) {
      out += text.slice(last, m.index) + replacement;
      last = m.index + consumed;
      changed = true;
    }
    re.lastIndex = m.index + Math.max(consumed, 1);
  }
  return changed ? out + text.slice(last) : text;
}

function simple(kind: RedactionKind, re: RegExp): Detector {
  return { kind, apply: (text, hit) => replaceMatches(text, re, () => hit()) };
}

interface WindowRule {
  maxParts: number;
  minDigits: number;
  maxDigits: number;
  /** A cheap check on the parts' digit counts, before the window's text is built. */
  shape?: (digitCounts: readonly number[], i: number, j: number) => boolean;
  valid: (window: string, digits: string) => boolean;
}

/**
 * Splits-aware replacement: replaces the longest valid windows of consecutive parts, left to
 * right. Used where one regex match may hold a valid number next to other numbers ("ref 12 4111
 * 1111 1111 1111", "call 415-555-0123 2024-01-15"). Windows are bounded by maxParts and by digit
 * counts, so a long run costs a constant per part.
 */
function redactWindows(parts: readonly string[], seps: readonly string[], rule: WindowRule, hit: Hit): string {
  const digitCounts = parts.map((p) => p.replace(/\D/g, '').length);
  const before = [0]; // digits in parts[0..k)
  for (const d of digitCounts) before.push(before[before.length - 1]! + d);
  let out = '';
  let i = 0;
  while (i < parts.length) {
    let found = -1;
    for (let j = Math.min(parts.length - 1, i + rule.maxParts - 1); j >= i && found === -1; j--) {
      const d = before[j + 1]! - before[i]!;
      if (d < rule.minDigits || d > rule.maxDigits) continue;
      if (rule.shape && !rule.shape(digitCounts, i, j)) continue;
      let window = parts[i]!;
      for (let k = i + 1; k <= j; k++) window += seps[k - 1]! + parts[k]!;
      if (rule.valid(window, window.replace(/\D/g, ''))) found = j;
    }
    if (found === -1) {
      out += parts[i]!;
      i++;
    } else {
      out += hit();
      i = found + 1;
    }
    if (i < parts.length) out += seps[i - 1]!;
  }
  return out;
}

/** Splits `s` on the matches of a global separator regex: parts and the separators between them. */
function splitKeep(s: string, sep: RegExp): { parts: string[]; seps: string[] } {
  const parts: string[] = [];
  const seps: string[] = [];
  let last = 0;
  sep.lastIndex = 0;
  for (let m = sep.exec(s); m !== null; m = sep.exec(s)) {
    parts.push(s.slice(last, m.index));
    seps.push(m[0]);
    last = m.index + m[0].length;
  }
  parts.push(s.slice(last));
  return { parts, seps };
}

// PEM private keys ----------------------------------------------------------------------------

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_BODY_LINE = /^\s*(?:[A-Za-z0-9+/=]{8,}|(?:Proc-Type|DEK-Info|Comment|Version): [^\n]*)?\s*$/;

/**
 * A private key block from BEGIN to its END line. Without an END (a truncated paste), the header
 * and the key-material lines after it. Not a single regex: a lazy `[\s\S]*?` to END would rescan
 * the rest of the text once per BEGIN header.
 */
function redactPem(text: string, hit: Hit): string {
  PEM_BEGIN.lastIndex = 0;
  const withoutEnd = new Set<string>(); // labels whose END line does not occur further on
  let out = '';
  let last = 0;
  for (let m = PEM_BEGIN.exec(text); m !== null; m = PEM_BEGIN.exec(text)) {
    const label = m[1]!;
    const bodyStart = m.index + m[0].length;
    const endLine = `-----END ${label}-----`;
    let end = withoutEnd.has(label) ? -1 : text.indexOf(endLine, bodyStart);
    if (end === -1) {
      withoutEnd.add(label);
      // Truncated block: take the following lines while they look like key material.
      end = bodyStart;
      let nl = text.indexOf('\n', bodyStart);
      while (nl !== -1) {
        const next = text.indexOf('\n', nl + 1);
        const lineEnd = next === -1 ? text.length : next;
        if (!PEM_BODY_LINE.test(text.slice(nl + 1, lineEnd))) break;
        end = lineEnd;
        nl = next;
      }
    } else {
      end += endLine.length;
    }
    out += text.slice(last, m.index) + hit();
    last = end;
    PEM_BEGIN.lastIndex = end;
  }
  return last === 0 ? text : out + text.slice(last);
}

// Cards -----------------------------------------------------------------------------------------

/** A run of digit groups separated by one space or dash, not glued to letters or other digits. */
const CARD_RUN = /(?<![0-9A-Za-z])[0-9]+(?:[ -][0-9]+)*(?![0-9A-Za-z])/g;
const CARD_SEP = /[ -]/g;

const CARD_WINDOW: WindowRule = { maxParts: 5, minDigits: 13, maxDigits: 19, shape: cardShaped, valid: (_w, digits) => cardValid(digits) };

function redactCards(text: string, hit: Hit): string {
  return replaceMatches(text, CARD_RUN, (m) => {
    const run = m[0];
    if (run.length < 13) return run;
    const { parts, seps } = splitKeep(run, CARD_SEP);
    return redactWindows(parts, seps, CARD_WINDOW, hit);
  });
}

// IBANs -----------------------------------------------------------------------------------------

/** Country, check digits, then 11–30 letters or digits, each optionally after one space. */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}/g;

function redactIbans(text: string, hit: Hit): string {
  return replaceMatches(text, IBAN_CANDIDATE, (m, input) => {
    const cand = m[0];
    // The candidate may run into the next word ("… 0130 00 AND"): take the longest prefix that
    // is a valid IBAN and ends at a word boundary.
    // is a valid IBAN and ends at a word boundary, and scan the rest again.
    // The candidate holds only letters, digits and single spaces, so those boundaries are its
    // spaces and its end (when the input goes on with neither a letter nor a digit).
    const endsAtBoundary = !/[A-Za-z0-9]/.test(input[m.index + cand.length] ?? '');
    for (let len = cand.length; len >= 15; len = cand.lastIndexOf(' ', len - 1)) {
      if ((len < cand.length || endsAtBoundary) && ibanValid(cand.slice(0, len).replace(/ /g, ''))) {
        return { replacement: hit(), consumed: len };
      }
    }
    // Not an IBAN: look again from the next word, which may start one ("XX12 DE89 3704 …").
    return { replacement: '', consumed: 0 };
  });
}

// IP addresses ----------------------------------------------------------------------------------

const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}/g;
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?![\\w]|\\.\\d)`, 'g');

function redactIps(text: string, hit: Hit): string {
  const v6 = replaceMatches(text, IPV6_CANDIDATE, (m, input) => {
    const next = input[m.index + m[0].length] ?? '';
    if (/[\w:]/.test(next) || !ipv6Valid(m[0])) return m[0];
    return hit();
  });
  return replaceMatches(v6, IPV4, () => hit());
}

// Phone numbers ---------------------------------------------------------------------------------

/** Starts at `+`, `(` or a digit not glued to a word, a dot, a dash or a slash; ends on a digit. */
const PHONE_CANDIDATE = /(?<![\w+.\/-])\+?\(?\d[\d ().-]*\d/g;
const SPACES = / +/g;

function redactPhones(text: string, hit: Hit): string {
  return replaceMatches(text, PHONE_CANDIDATE, (m) => {
    const cand = m[0];
    if (cand.length < 8) return cand;
    const { parts, seps } = splitKeep(cand, SPACES);
    // Digit groups separated by spaces alone ("415 555 0123") count only when no other number
    // stands next to them: in "120 340 560 780 900 1100" they are a list, not a phone number.
    const punctuated = parts.map((p) => /[-.()+]/.test(p));
    const punctuatedBefore = [0];
    for (const x of punctuated) punctuatedBefore.push(punctuatedBefore[punctuatedBefore.length - 1]! + (x ? 1 : 0));
    return redactWindows(
      parts,
      seps,
      {
        maxParts: 7,
        minDigits: 8,
        maxDigits: 17,
        shape: (_digits, i, j) => (i === 0 && j === parts.length - 1) || punctuatedBefore[j + 1]! > punctuatedBefore[i]!,
        valid: (w) => phoneShaped(w),
      },
      hit,
    );
  });
}

// Emails ----------------------------------------------------------------------------------------

const EMAIL = /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const TLD = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

function redactEmails(text: string, hit: Hit): string {
  return replaceMatches(text, EMAIL, (m) => {
    const tld = m[0].slice(m[0].lastIndexOf('.') + 1);
    return TLD.test(tld) ? hit() : m[0];
  });
}

// Secrets with a fixed shape --------------------------------------------------------------------

/** `aws_secret_access_key = …`, `"SecretAccessKey": "…"`: keeps the label, replaces the 40-char value. */
const AWS_SECRET = /((?:aws[_\-. ]?)?secret[_\-. ]?(?:access[_\-. ]?)?key["']?\s{0,8}[:=]\s{0,8}["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;

const DETECTORS: readonly Detector[] = [
  { kind: 'private_key', apply: redactPem },
  // header.payload.signature, base64url; the header is JSON so it starts with eyJ ('{"').
  simple('jwt', /(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g),
  simple('anthropic', /(?<![\w-])sk-ant-[\w-]{20,}/g),
  // sk-…, sk-proj-…, sk-svcacct-…, sk-admin-… (after Anthropic, whose keys also start with sk-).
  simple('openai', /(?<![\w-])sk-[\w-]{20,}/g),
  simple('github', /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})/g),
  simple('aws_access_key', /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g),
  {
    kind: 'aws_secret_key',
    apply: (text, hit) => replaceMatches(text, AWS_SECRET, (m) => m[1]! + hit()),
  },
  simple('slack', /(?<![\w-])(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,}/g),
  { kind: 'email', apply: redactEmails },
  { kind: 'iban', apply: redactIbans },
  { kind: 'card', apply: redactCards },
  { kind: 'ip', apply: redactIps },
  { kind: 'phone', apply: redactPhones },
];

/**
 * Passes at most. A pass changes the text around what it replaced (`415-555-0123+1 415-555-0124`:
 * the second number is glued to a digit, then to `]`), which can reveal a match the pass could not
 * see; passes repeat until nothing changes, so that redacting twice gives what redacting once gives.
 * Each changing pass removes digits or key material and adds none, so this ends quickly.
 */
const MAX_PASSES = 8;

/** Replaces emails, phone numbers, cards, IBANs, IP addresses and secrets by typed placeholders. */
export function redact(text: string, options: RedactOptions = {}): RedactResult {
  const counts = emptyCounts();
  const enabled = options.kinds ? new Set(options.kinds) : undefined;
  let out = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    for (const detector of DETECTORS) {
      if (enabled && !enabled.has(detector.kind)) continue;
      const mark = placeholder(detector.kind);
      out = detector.apply(out, () => {
        counts[detector.kind]++;
        changed = true;
        return mark;
      });
    }
    if (!changed) break;
  }
  return { text: out, counts };
}
