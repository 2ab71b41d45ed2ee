/**
 * A Chromium enterprise policy for one test's copy of the extension (managed-policy.test.ts,
 * ADR 0053). Chromium on Linux reads every JSON file in /etc/chromium/policies/managed/ and gives
 * an extension `3rdparty.extensions.<its id>` as chrome.storage.managed. An unpacked extension's id
 * comes from its path unless its manifest has a `key`; a key made here, fresh for each run, fixes
 * the id of the copy that gets it, and of no other build (the main build never has a key).
 *
 * The file applies to every Chromium on the machine while it exists, parallel tests' too, but only
 * to the extension with this run's id. Writing it needs root: no skip, an error that says so.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const CHROMIUM_POLICY_DIR = process.env.CHROMIUM_POLICY_DIR ?? '/etc/chromium/policies/managed';

export interface TestExtensionKey {
  /** The manifest's `key`: the base64 DER (SubjectPublicKeyInfo) public key. */
  key: string;
  /** The id Chromium derives from it. */
  id: string;
}

/**
 * A new RSA key and the extension id it gives: the SHA-256 of the DER public key, its first 32 hex
 * digits written with a–p for 0–f (https://developer.chrome.com/docs/extensions/reference/manifest/key).
 */
export function newExtensionKey(): TestExtensionKey {
  const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { key: der.toString('base64'), id: extensionIdOf(der) };
}

export function extensionIdOf(der: Buffer): string {
  const hex = crypto.createHash('sha256').update(der).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

/** Gives the copied build at `extensionDir` the key (so the id), before Chromium first loads it. */
export function setManifestKey(extensionDir: string, key: string): void {
  const file = path.join(extensionDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.key = key;
  fs.writeFileSync(file, JSON.stringify(manifest));
}

/**
 * A run killed before its afterAll leaves its file behind: harmless (no extension has that id
 * again), but clutter in /etc. Files of this test older than an hour go; a parallel run's stay.
 */
function sweepStale(): void {
  for (const name of fs.readdirSync(CHROMIUM_POLICY_DIR)) {
    const file = path.join(CHROMIUM_POLICY_DIR, name);
    if (/^groundtruth-test-[a-p]{32}\.json$/.test(name) && Date.now() - fs.statSync(file).mtimeMs > 3_600_000) fs.rmSync(file, { force: true });
  }
}

/** Writes the policy for extension `id` in a file of its own; returns a function that removes it. */
export function writeChromiumPolicy(id: string, policy: Record<string, unknown>): () => void {
  const file = path.join(CHROMIUM_POLICY_DIR, `groundtruth-test-${id}.json`);
  try {
    fs.mkdirSync(CHROMIUM_POLICY_DIR, { recursive: true });
    sweepStale();
    fs.writeFileSync(file, JSON.stringify({ '3rdparty': { extensions: { [id]: policy } } }, null, 2));
  } catch (err) {
    throw new Error(
      `Cannot write the Chromium policy ${file} (${(err as Error).message}): the managed-policy test needs root ` +
        'or a writable CHROMIUM_POLICY_DIR that this Chromium reads.',
    );
  }
  return () => fs.rmSync(file, { force: true });
}
