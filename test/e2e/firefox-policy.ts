/**
 * An enterprise policy for one Firefox run only (firefox-managed-policy.test.ts, ADR 0053).
 * Firefox has no per-profile policy: it reads `distribution/policies.json` beside its binary (or
 * /etc/firefox/policies/policies.json, or /run/user/<uid>/firefox-esr/ with
 * toolkit.policies.perUserDir, both shared by every run). So the test gets a Firefox install of its
 * own: the Debian install hard-linked (under a second; copied when /tmp is another file system) into a temporary
 * folder whose `distribution/` is a real folder with the policy in it. Firefox finds its files
 * from the binary's path, so the policy applies to the runs of that binary and no other.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/app.ts';
import { FIREFOX } from './firefox-harness.ts';

/** Where Firefox on Linux looks before distribution/ (its SysConfD, by build). */
const SYSTEM_POLICIES = ['/etc/firefox/policies/policies.json', '/etc/firefox-esr/policies/policies.json'];

export interface PrivateFirefox {
  /** The private install's binary, for launchFirefoxWithExtension's executablePath. */
  executablePath: string;
  remove(): void;
}

/** A private Firefox install whose policies.json is `policies` (`{ policies: { … } }`). */
export function firefoxWithPolicies(policies: Record<string, unknown>): PrivateFirefox {
  // A system-wide file wins over distribution/ (Firefox reads it first): the test would not be alone.
  const system = SYSTEM_POLICIES.find((f) => fs.existsSync(f));
  if (system) throw new Error(`${system} exists and overrides any private policies.json: remove it to run the Firefox policy test.`);
  const binary = fs.realpathSync(FIREFOX);
  const source = path.dirname(binary);
  const root = tempDir('gt-firefox-install-');
  const install = path.join(root, path.basename(source));
  try {
    execFileSync('cp', ['-al', source, install], { stdio: 'pipe' });
  } catch {
    // Another file system (no hard links across them): a real copy, about 270 MB, a few seconds.
    fs.rmSync(install, { recursive: true, force: true });
    try {
      execFileSync('cp', ['-a', source, install], { stdio: 'pipe' });
    } catch (err) {
      fs.rmSync(root, { recursive: true, force: true });
      throw new Error(`Cannot copy ${source} into ${root}: ${(err as Error).message}`);
    }
  }
  // Debian links parts of the install to /usr/share with relative links, which break in the copy.
  for (const link of execFileSync('find', [install, '-type', 'l'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    const target = fs.readlinkSync(link);
    if (path.isAbsolute(target)) continue;
    const original = path.join(source, path.relative(install, link));
    const resolved = path.resolve(path.dirname(original), target);
    if (resolved.startsWith(`${source}/`)) continue;
    fs.rmSync(link);
    fs.symlinkSync(resolved, link);
  }
  // distribution/ becomes a folder of this install's own (Debian links it), its entries linked.
  const distribution = path.join(install, 'distribution');
  const kind = fs.lstatSync(distribution, { throwIfNoEntry: false });
  if (kind?.isSymbolicLink()) {
    const shared = fs.realpathSync(distribution);
    fs.rmSync(distribution);
    fs.mkdirSync(distribution);
    for (const entry of fs.readdirSync(shared)) fs.symlinkSync(path.join(shared, entry), path.join(distribution, entry));
  } else if (!kind) {
    fs.mkdirSync(distribution);
  }
  // Unlinked first: a policies.json there may be a hard link to the real install's, never written through.
  fs.rmSync(path.join(distribution, 'policies.json'), { force: true });
  fs.writeFileSync(path.join(distribution, 'policies.json'), JSON.stringify(policies, null, 2));
  return { executablePath: path.join(install, path.basename(binary)), remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
