import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyCounts,
  ibanValid,
  ipv6Valid,
  luhnValid,
  placeholder,
  REDACTION_KINDS,
  redact,
  type RedactionCounts,
  type RedactionKind,
} from './redact.ts';
import { LIMITS } from './limits.ts';
import { ADVERSARIAL_PATTERNS, adversarialText } from '../test/fixtures/adversarial-text.ts';

const r = (s: string): string => redact(s).text;
const totalRedactions = (c: RedactionCounts): number => Object.values(c).reduce((a, b) => a + b, 0);

/** Counts with only the given kinds non-zero, to compare with `toEqual`. */
function counts(partial: Partial<RedactionCounts>): RedactionCounts {
  return { ...emptyCounts(), ...partial };
}

// Test secrets are assembled from pieces so that secret scanners do not flag this file.
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const body = (n: number, alphabet = ALNUM, seed = 7): string =>
  Array.from({ length: n }, (_, i) => alphabet[(i * 31 + seed * 17 + ((i * i) % 13)) % alphabet.length]).join('');

const SECRETS: Record<string, { text: string; kind: RedactionKind }> = {
  openaiLegacy: { text: `sk-${body(48)}`, kind: 'openai' },
  openaiProject: { text: `sk-proj-${body(40)}_${body(20, ALNUM, 3)}-${body(30, ALNUM, 5)}`, kind: 'openai' },
  openaiService: { text: `sk-svcacct-${body(60)}`, kind: 'openai' },
  anthropic: { text: `sk-ant-api03-${body(80)}-${body(6)}AA`, kind: 'anthropic' },
  anthropicAdmin: { text: `sk-ant-admin01-${body(80)}`, kind: 'anthropic' },
  ghp: { text: `ghp_${body(36)}`, kind: 'github' },
  gho: { text: `gho_${body(36, ALNUM, 2)}`, kind: 'github' },
  ghu: { text: `ghu_${body(36, ALNUM, 3)}`, kind: 'github' },
  ghs: { text: `ghs_${body(36, ALNUM, 4)}`, kind: 'github' },
  ghr: { text: `ghr_${body(36, ALNUM, 5)}`, kind: 'github' },
  githubPat: { text: `github_pat_11${body(20)}_${body(59)}`, kind: 'github' },
  awsAkia: { text: ['AKIA', 'IOSFODNN7EXAMPLE'].join(''), kind: 'aws_access_key' },
  awsAsia: { text: ['ASIA', 'Y34FZKBOKMUTVV7A'].join(''), kind: 'aws_access_key' },
  slackBot: { text: ['xoxb', '2400000000', '4100000000', body(24)].join('-'), kind: 'slack' },
  slackUser: { text: ['xoxp', '2400000000', '4100000000', '4500000000', body(32)].join('-'), kind: 'slack' },
  slackApp: { text: ['xoxa', '2', body(40)].join('-'), kind: 'slack' },
  slackRefresh: { text: ['xoxr', body(40)].join('-'), kind: 'slack' },
  slackAppLevel: { text: ['xapp', '1', 'A0123456789', '4000000000000', body(64, '0123456789abcdef')].join('-'), kind: 'slack' },
  jwt: {
    text: [
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
      'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
      'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ].join('.'),
    kind: 'jwt',
  },
};

const AWS_SECRET_VALUE = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/');

function pem(label: string, lines = 4): string {
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bodyLines = Array.from({ length: lines }, (_, i) => body(64, b64, i + 1));
  return [`-----BEGIN ${label}-----`, ...bodyLines, `${body(20, b64, 9)}==`, `-----END ${label}-----`].join('\n');
}

describe('placeholders', () => {
  it('are [KIND] for personal data and [SECRET:kind] for secrets', () => {
    expect(placeholder('email')).toBe('[EMAIL]');
    expect(placeholder('phone')).toBe('[PHONE]');
    expect(placeholder('card')).toBe('[CARD]');
    expect(placeholder('iban')).toBe('[IBAN]');
    expect(placeholder('ip')).toBe('[IP]');
    expect(placeholder('openai')).toBe('[SECRET:openai]');
    expect(placeholder('private_key')).toBe('[SECRET:private_key]');
    expect(placeholder('aws_secret_key')).toBe('[SECRET:aws_secret_key]');
  });

  it('are themselves left alone by every detector', () => {
    const all = REDACTION_KINDS.map(placeholder).join(' ');
    expect(redact(all)).toEqual({ text: all, counts: emptyCounts() });
  });

  it('counts hold every kind, zero when nothing is found', () => {
    const res = redact('nothing to see here');
    expect(res.text).toBe('nothing to see here');
    expect(Object.keys(res.counts).sort()).toEqual([...REDACTION_KINDS].sort());
    expect(totalRedactions(res.counts)).toBe(0);
  });
});

describe('emails', () => {
  it.each([
    'taro@example.com',
    'first.last+tag@sub.example.co.uk',
    'user_name%x@example-domain.org',
    'MIXED.Case@Example.COM',
    '4155550123@example.com',
    'someone@xn--bcher-kva.example',
  ])('redacts %s', (email) => {
    expect(redact(`write to ${email}.`)).toEqual({ text: 'write to [EMAIL].', counts: counts({ email: 1 }) });
  });

  it.each(['user@localhost', 'not-an-email@', '@handle on social', 'a@b', 'foo@bar.1', 'x@y.c'])('leaves %s', (text) => {
    expect(r(text)).toBe(text);
  });

  it('finds emails between Japanese characters', () => {
    expect(r('山田さんのメールはyamada.taro@example.jpです。')).toBe('山田さんのメールは[EMAIL]です。');
  });
});

describe('phone numbers', () => {
  it.each([
    '+1 (415) 555-0123',
    '+1-415-555-0123',
    '+14155550123',
    '(415) 555-0123',
    '415-555-0123',
    '415.555.0123',
    '415 555 0123',
    '1-800-555-0199',
    '+44 20 7946 0958',
    '+44 (0)20 7946 0958',
    '0044 20 7946 0958',
    '020 7946 0958',
    '07700 900123',
    '+81 3-1234-5678',
    '+81-90-1234-5678',
    '03-1234-5678',
    '090-1234-5678',
    '0120-123-456',
    '09012345678',
    '+49 30 12345678',
    '030 12345678',
    '+33 1 23 45 67 89',
    '01 23 45 67 89',
    '01.23.45.67.89',
  ])('redacts %s', (phone) => {
    expect(redact(`call ${phone} today`)).toEqual({ text: 'call [PHONE] today', counts: counts({ phone: 1 }) });
  });

  it.each([
    '2024-01-15',
    '15/01/2024',
    '15.01.2024',
    '2024.01.15',
    '2024-01-15T10:30:00Z',
    '2024-01-15 10:30:00',
    '12:30:45',
    'v2.14.0',
    '1.2.3',
    '10.0.19045.2965',
    'Chrome 120.0.6099.109',
    '1234567890',
    '20240115103000',
    '123456',
    '1 234 567 890',
    '1,234,567,890',
    '3.14159265358',
    '100-200',
    '2019-2024',
    'ORD-2024-0001-3392',
    'counts 120 340 560 780 900 1100',
    'ISBN 0-306-40615-2',
    '0x80070005',
  ])('leaves %s', (text) => {
    expect(r(text)).toBe(text);
  });

  it('picks the phone number out of neighbouring numbers', () => {
    expect(r('ticket 12 415-555-0123 2024-01-15')).toBe('ticket 12 [PHONE] 2024-01-15');
    expect(r('tel 03-1234-5678 / 090-1234-5678')).toBe('tel [PHONE] / [PHONE]');
  });

  it('finds phone numbers between Japanese characters', () => {
    expect(r('電話は03-1234-5678、携帯は（090-1234-5678）まで')).toBe('電話は[PHONE]、携帯は（[PHONE]）まで');
    expect(r('2024年1月15日 令和6年 第3版')).toBe('2024年1月15日 令和6年 第3版');
  });
});

describe('card numbers', () => {
  /** Appends the Luhn check digit (independent of the module's luhnValid). */
  function withCheckDigit(partial: string): string {
    let sum = 0;
    for (let i = 0; i < partial.length; i++) {
      let d = Number(partial[partial.length - 1 - i]);
      if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    return partial + String((10 - (sum % 10)) % 10);
  }

  it.each([
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111111',
    '4242 4242 4242 4242',
    '4222222222222', // 13-digit Visa
    '5555 5555 5555 4444',
    '2223 0031 2200 3222', // Mastercard 2-series
    '3782 822463 10005', // Amex 4-6-5
    '371449635398431',
    '6011 1111 1111 1117',
    '3530 1113 3330 0000',
    '3056 9309 0259 04', // Diners 14 digits
    '3056 930902 5904', // Diners 4-6-4
    '6200 0000 0000 0005',
  ])('redacts %s', (card) => {
    expect(luhnValid(card.replace(/\D/g, ''))).toBe(true);
    expect(redact(`paid with ${card}.`)).toEqual({ text: 'paid with [CARD].', counts: counts({ card: 1 }) });
  });

  it('redacts 19-digit cards', () => {
    const card = withCheckDigit('621234567890123456');
    expect(card).toHaveLength(19);
    expect(r(`card ${card}`)).toBe('card [CARD]');
    expect(r(`card ${card.replace(/(\d{4})(?=\d)/g, '$1 ')}`)).toBe('card [CARD]');
  });

  it.each([
    '4111 1111 1111 1112', // Luhn fails
    '4111-1111-1111-1112',
    '4111111111111112',
    '5555 5555 5555 4445',
    '1700000000004', // Luhn-valid, but a millisecond timestamp: no card network starts with 1
    '41111111111111111111', // 20 digits
    '9999 9999 9999 9995', // Luhn-valid, first digit 9
    'ORD4111111111111111', // glued to letters: an id, not a card
    '4111 1111 1111', // too short
    '120 340 560 780 900 1100 2200 3400',
  ])('leaves %s', (text) => {
    expect(r(text)).toBe(text);
  });

  it('checks the look-alikes really are look-alikes', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('1700000000004')).toBe(true);
    expect(luhnValid('9999999999999995')).toBe(true);
  });

  it('finds a card next to other numbers', () => {
    expect(r('ref 12 4242 4242 4242 4242 exp 12/29')).toBe('ref 12 [CARD] exp 12/29');
    expect(r('カード番号4111 1111 1111 1111で支払い')).toBe('カード番号[CARD]で支払い');
  });
});

describe('IBANs', () => {
  it.each([
    'DE89 3704 0044 0532 0130 00',
    'DE89370400440532013000',
    'GB82 WEST 1234 5698 7654 32',
    'GB29NWBK60161331926819',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91ABNA0417164300',
    'CH93 0076 2011 6238 5295 7',
    'NO93 8601 1117 947',
    'BE68 5390 0754 7034',
    'ES91 2100 0418 4502 0005 1332',
  ])('redacts %s', (iban) => {
    expect(ibanValid(iban.replace(/ /g, ''))).toBe(true);
    expect(redact(`IBAN: ${iban}, thanks`)).toEqual({ text: 'IBAN: [IBAN], thanks', counts: counts({ iban: 1 }) });
  });

  it.each([
    'GB82 WEST 1234 5698 7654 33', // mod-97 fails
    'GB82WEST12345698765433',
    'GB29 NWBK 6016 1331 9268 18',
    'DE89 3704 0044 0532 0130', // too short for DE
    'AB12 CDEF GHIJ KLMN OP', // not a country, and fails mod-97
    'SKU AB12CD34EF56GH78',
  ])('leaves %s', (text) => {
    expect(ibanValid(text.replace(/ /g, ''))).toBe(false);
    expect(r(text)).toBe(text);
  });

  it('stops at the end of the IBAN when words follow, and keeps looking after it', () => {
    expect(r('DE89 3704 0044 0532 0130 00 AND GB82WEST12345698765432 OK')).toBe('[IBAN] AND [IBAN] OK');
    expect(r('XX12 DE89 3704 0044 0532 0130 00')).toBe('XX12 [IBAN]');
  });

  it('finds IBANs between Japanese characters', () => {
    expect(r('振込先はDE89370400440532013000です')).toBe('振込先は[IBAN]です');
  });
});

describe('IP addresses', () => {
  it.each([
    '192.168.1.1',
    '10.0.0.255',
    '8.8.8.8',
    '255.255.255.255',
    '2001:db8::1',
    'fe80::1ff:fe23:4567:890a',
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:DB8:0:0:8:800:200C:417A',
    '::ffff:192.0.2.128',
    '64:ff9b::192.0.2.33',
  ])('redacts %s', (ip) => {
    expect(redact(`host ${ip} is down`)).toEqual({ text: 'host [IP] is down', counts: counts({ ip: 1 }) });
  });

  it('redacts addresses inside URLs and brackets', () => {
    expect(r('http://192.168.0.10:8080/path')).toBe('http://[IP]:8080/path');
    expect(r('http://[2001:db8::1]:8080/')).toBe('http://[[IP]]:8080/');
    expect(r('サーバー192.168.0.1に接続できません')).toBe('サーバー[IP]に接続できません');
  });

  it.each([
    '999.1.1.1',
    '1.2.3.256',
    '1.2.3',
    '1.2.3.4.5',
    'v1.2.3.4',
    'std::vector<int>',
    'abc::def',
    'crate::module::Type',
    '::1',
    '12:30:45',
    '10:30:00.123',
    '00:1a:2b:3c:4d:5e',
    '1:2:3:4:5:6:7:8:9',
  ])('leaves %s', (text) => {
    expect(r(text)).toBe(text);
  });

  it('parses IPv6 structure', () => {
    expect(ipv6Valid('2001:db8::1')).toBe(true);
    expect(ipv6Valid('2001:db8:::1')).toBe(false);
    expect(ipv6Valid('1::2::3')).toBe(false);
    expect(ipv6Valid('1:2:3:4:5:6:7')).toBe(false);
    expect(ipv6Valid('12345::1')).toBe(false);
  });
});

describe('secrets', () => {
  it.each(Object.entries(SECRETS))('redacts %s', (_name, { text, kind }) => {
    expect(redact(`key: ${text} (do not share)`)).toEqual({
      text: `key: ${placeholder(kind)} (do not share)`,
      counts: counts({ [kind]: 1 }),
    });
  });

  it.each([
    ['aws_secret_access_key = ', ''],
    ['AWS_SECRET_ACCESS_KEY=', ''],
    ['"SecretAccessKey": "', '"'],
    ["aws_secret_key: '", "'"],
    ['aws secret access key: ', ''],
  ])('redacts an AWS secret key labelled %s', (label, close) => {
    expect(redact(`${label}${AWS_SECRET_VALUE}${close}`)).toEqual({
      text: `${label}[SECRET:aws_secret_key]${close}`,
      counts: counts({ aws_secret_key: 1 }),
    });
  });

  it('leaves an unlabelled 40-character string (a git SHA, a hash)', () => {
    const text = `commit ${body(40, '0123456789abcdef')} and ${AWS_SECRET_VALUE}`;
    expect(r(text)).toBe(text);
  });

  it.each([
    'sk-learn',
    'pip install scikit-learn sk-video',
    `task-${body(30)}`, // "sk-" inside a word
    `ghp_${body(10)}`,
    ['AKIA', '1234'].join(''),
    ['akia', 'iosfodnn7example'].join(''),
    'xoxb-123',
    'eyJhbGciOiJIUzI1NiJ9',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0', // two parts only
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
    '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----',
  ])('leaves %s', (text) => {
    expect(r(text)).toBe(text);
  });

  it.each(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'PRIVATE KEY', 'PGP PRIVATE KEY BLOCK'])(
    'redacts a %s block whole',
    (label) => {
      expect(redact(`my key:\n${pem(label)}\nplease check`)).toEqual({
        text: 'my key:\n[SECRET:private_key]\nplease check',
        counts: counts({ private_key: 1 }),
      });
    },
  );

  it('redacts a truncated private key block up to the end of its key material', () => {
    const truncated = pem('RSA PRIVATE KEY').split('\n').slice(0, 4).join('\n');
    expect(r(`here:\n${truncated}\nWhat is wrong with it?`)).toBe('here:\n[SECRET:private_key]\nWhat is wrong with it?');
  });

  it('redacts encrypted PEM headers with the block', () => {
    const block = ['-----BEGIN RSA PRIVATE KEY-----', 'Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,ABCDEF', '', body(64), '-----END RSA PRIVATE KEY-----'].join('\n');
    expect(r(block)).toBe('[SECRET:private_key]');
  });
});

describe('order of detectors', () => {
  it('labels Anthropic keys as Anthropic, not OpenAI', () => {
    expect(redact(SECRETS.anthropic!.text).counts).toEqual(counts({ anthropic: 1 }));
  });

  it('keeps secrets whole: digits inside them are not phones or cards', () => {
    expect(redact(SECRETS.jwt!.text).counts).toEqual(counts({ jwt: 1 }));
    expect(redact(SECRETS.slackAppLevel!.text).counts).toEqual(counts({ slack: 1 }));
    const block = ['-----BEGIN PRIVATE KEY-----', 'owner@example.com', '4111 1111 1111 1111', '-----END PRIVATE KEY-----'].join('\n');
    expect(redact(block)).toEqual({ text: '[SECRET:private_key]', counts: counts({ private_key: 1 }) });
  });

  it('takes an email with a phone-like local part as an email, an IBAN with card-like digits as an IBAN', () => {
    expect(redact('4155550123@example.com').counts).toEqual(counts({ email: 1 }));
    expect(redact('DE89 3704 0044 0532 0130 00').counts).toEqual(counts({ iban: 1 }));
  });
});

describe('redact', () => {
  const mixed = [
    'Hi, I am Taro (taro@example.com, backup taro.y@example.jp).',
    'Call me at +81 3-1234-5678 or 090-1234-5678.',
    'Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.',
    'The server 10.0.3.17 and 2001:db8::42 failed on 2024-01-15 with v1.2.3.',
    `Config: OPENAI_API_KEY=${SECRETS.openaiProject!.text} GH=${SECRETS.ghp!.text}`,
    `and ${SECRETS.jwt!.text}`,
  ].join('\n');

  it('counts each kind', () => {
    const res = redact(mixed);
    expect(res.counts).toEqual(counts({ email: 2, phone: 2, card: 1, iban: 1, ip: 2, openai: 1, github: 1, jwt: 1 }));
    expect(res.text).toContain('failed on 2024-01-15 with v1.2.3.');
    expect(res.text).toContain('Hi, I am Taro ([EMAIL], backup [EMAIL]).');
  });

  it('is idempotent: redacting twice gives what redacting once gives', () => {
    const once = redact(mixed);
    const twice = redact(once.text);
    expect(twice.text).toBe(once.text);
    expect(totalRedactions(twice.counts)).toBe(0);
  });

  it('is idempotent when findings are glued together', () => {
    // The second number is glued to a digit, then (after the first is replaced) to "]".
    const once = redact('+1 415-555-0123+1 415-555-01238');
    expect(once).toEqual({ text: '[PHONE][PHONE]', counts: counts({ phone: 2 }) });
    expect(redact(once.text).text).toBe(once.text);
  });

  it('redacts only the kinds asked for', () => {
    const res = redact(mixed, { kinds: ['email', 'jwt'] });
    expect(res.counts).toEqual(counts({ email: 2, jwt: 1 }));
    expect(res.text).toContain('4111 1111 1111 1111');
    expect(res.text).toContain(SECRETS.ghp!.text);
    expect(redact(mixed, { kinds: [] }).text).toBe(mixed);
  });

  it('redacts adversarial input of the longest allowed text, and is idempotent on it', () => {
    // Whether this stays linear (no catastrophic backtracking) is a speed question, measured as a
    // ratio by `npm run bench redact` (cost at 100k characters / cost at 10k), not with a
    // wall-clock budget here. This test holds what redaction gives on those texts.
    for (const p of ADVERSARIAL_PATTERNS) {
      const text = adversarialText(p, LIMITS.textMaxChars);
      const once = redact(text);
      expect(once.text.length, JSON.stringify(p)).toBeLessThanOrEqual(text.length * 2);
      expect(redact(once.text).text, JSON.stringify(p)).toBe(once.text);
    }
    // Some of them are findings over and over: every one is replaced, nothing of it is left.
    expect(redact(adversarialText('ab@example.com ', 15_000)).counts.email).toBe(1_000);
    expect(r(adversarialText('4111 1111 1111 1111\n', 2_000))).not.toMatch(/\d{4} \d{4}/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const NOISE_UNITS = [...'abxyzAB019 -.,:;@+/()_=日本語テスト。、\n'];
const noise = fc.string({ unit: fc.constantFrom(...NOISE_UNITS), maxLength: 40 });

function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const digitString = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** A Luhn-valid card number of a real network, written the ways people write them. */
const card = fc
  .record({
    prefix: fc.constantFrom('4', '51', '55', '2221', '2720', '34', '37', '6011', '65', '3528', '36', '62'),
    length: fc.integer({ min: 13, max: 19 }),
    digits: digitString(19, 19),
    style: fc.constantFrom('compact', 'space', 'dash'),
  })
  .map(({ prefix, length, digits, style }) => {
    const partial = (prefix + digits).slice(0, length - 1);
    const number = partial + luhnCheckDigit(partial);
    if (style === 'compact') return number;
    return number.replace(/(\d{4})(?=\d)/g, style === 'space' ? '$1 ' : '$1-');
  });

/** Checks the output independently of the module: no card-shaped, Luhn-valid number of 13–19 digits. */
function findLuhnCards(text: string): string[] {
  const shaped = /(?<![0-9A-Za-z])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}[ -]\d{1,4}|\d{4}[ -]\d{6}[ -]\d{4,5})(?![0-9A-Za-z])/g;
  return [...text.matchAll(shaped)]
    .map((m) => m[0])
    .filter((s) => {
      const digits = s.replace(/\D/g, '');
      return /^[2-6]/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
    });
}

const b64url = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...`${ALNUM}-_`), minLength: min, maxLength: max });
const alnum = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...ALNUM), minLength: min, maxLength: max });
const upperDigits = (n: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), minLength: n, maxLength: n });

/** Secrets of every kind, with random bodies. */
const secret = fc.oneof(
  fc.tuple(fc.constantFrom('sk-', 'sk-proj-', 'sk-svcacct-', 'sk-admin-'), b64url(20, 80)).map(([p, b]) => p + b),
  fc.tuple(fc.constantFrom('sk-ant-api03-', 'sk-ant-admin01-'), b64url(20, 95)).map(([p, b]) => p + b),
  fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), alnum(36, 40)).map(([p, b]) => p + b),
  fc.tuple(alnum(22, 22), alnum(59, 59)).map(([a, b]) => `github_pat_${a}_${b}`),
  fc.tuple(fc.constantFrom('AKIA', 'ASIA'), upperDigits(16)).map(([p, b]) => p + b),
  fc.tuple(fc.constantFrom('xoxb', 'xoxp', 'xoxa', 'xoxr', 'xapp'), digitString(1, 12), alnum(10, 40)).map((parts) => parts.join('-')),
  fc.tuple(b64url(5, 60), b64url(5, 200), b64url(0, 86)).map(([h, p, s]) => `eyJ${h}.${p}.${s}`),
  fc
    .tuple(fc.constantFrom('RSA PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY'), fc.array(alnum(16, 64), { minLength: 1, maxLength: 5 }))
    .map(([label, lines]) => [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n')),
);

/** What must never be left in redacted text: written apart from the module's own patterns. */
const KNOWN_SECRET_PATTERNS = [
  /sk-[\w-]{20}/,
  /gh[pousr]_[A-Za-z0-9]{30}/,
  /github_pat_/,
  /A(?:KI|SI)A[A-Z0-9]{16}/,
  /xox[abpr]-[\w-]{10}/,
  /xapp-/,
  /eyJ[\w-]{5,}\.[\w-]{5,}\./,
  /PRIVATE KEY/,
];

/** Valid IBANs (mod-97 check digits computed here) for a few countries. */
const iban = fc
  .record({
    country: fc.constantFrom({ cc: 'DE', len: 18 }, { cc: 'GB', len: 18 }, { cc: 'FR', len: 23 }, { cc: 'NL', len: 14 }, { cc: 'ES', len: 20 }),
    digits: digitString(23, 23),
    spaced: fc.boolean(),
  })
  .map(({ country: { cc, len }, digits, spaced }) => {
    const bban = digits.slice(0, len);
    const numeric = `${bban}${cc.split('').map((c) => c.charCodeAt(0) - 55).join('')}00`;
    let rest = 0;
    for (const ch of numeric) rest = (rest * 10 + Number(ch)) % 97;
    const check = String(98 - rest).padStart(2, '0');
    const compact = `${cc}${check}${bban}`;
    return spaced ? compact.replace(/(.{4})(?=.)/g, '$1 ') : compact;
  });

const email = fc.tuple(alnum(1, 12), alnum(1, 12), fc.constantFrom('com', 'jp', 'co.uk', 'io')).map(([u, d, t]) => `${u}@${d}.${t}`);

describe('properties', () => {
  it('never leaves a Luhn-valid card in the output', () => {
    fc.assert(
      fc.property(noise, card, noise, (before, number, after) => {
        const out = r(`${before} ${number} ${after}`);
        expect(out).not.toContain(number);
        expect(findLuhnCards(out)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never leaves a known secret pattern in the output', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, secret), { minLength: 1, maxLength: 4 }), noise, (pairs, tail) => {
        const text = `${pairs.map(([n, s]) => `${n} ${s} `).join('')}${tail}`;
        const out = r(text);
        for (const [, s] of pairs) expect(out).not.toContain(s);
        for (const pattern of KNOWN_SECRET_PATTERNS) expect(out).not.toMatch(pattern);
      }),
      { numRuns: 500 },
    );
  });

  it('always redacts valid IBANs, and every Luhn-failing card look-alike survives', () => {
    fc.assert(
      fc.property(noise, iban, card, (before, account, number) => {
        expect(r(`${before} ${account} .`)).not.toContain(account);
        // Break the check digit of the compact form: not a card any more, it must stay as it was.
        // (Grouped, a broken 17-digit number can still hold a valid 16-digit card, rightly redacted.)
        const digits = number.replace(/\D/g, '');
        const broken = digits.slice(0, -1) + String((Number(digits.slice(-1)) + 1) % 10);
        expect(r(`ref: ${broken} .`)).toBe(`ref: ${broken} .`);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent, and counts one placeholder per finding', () => {
    const item = fc.oneof(noise, card, secret, iban, email);
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom(' ', '', '\n', '、'), (items, separator) => {
        const text = items.join(separator);
        const once = redact(text);
        expect(redact(once.text).text).toBe(once.text);
        const placeholders = once.text.match(/\[(?:EMAIL|PHONE|CARD|IBAN|IP|SECRET:[a-z_]+)\]/g) ?? [];
        expect(placeholders.length).toBe(totalRedactions(once.counts));
      }),
      { numRuns: 500 },
    );
  });
});
