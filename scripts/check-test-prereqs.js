#!/usr/bin/env node
// Runs before `npm test` (npm's pretest) and so in CI too: the suites start a few programs that
// npm does not install. Rather than let a contributor's first run fail deep inside (a browser that
// will not launch, a terminal that never opens), this names what is missing and the one command
// that installs it, then stops. `--apt-packages` prints the Debian packages instead, so .ci/run
// installs exactly this list.
import { accessSync, constants } from 'node:fs';
import process from 'node:process';
import { onPath } from './on-path.js';

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every program a test starts, the Debian package that has it, and who needs it. */
const PREREQUISITES = [
  {
    name: 'chromium',
    apt: 'chromium',
    found: () => executable('/usr/bin/chromium'),
    why: 'at /usr/bin/chromium, for the review page tests',
  },
  { name: 'tmux', apt: 'tmux', found: () => onPath('tmux'), why: 'for the interactive terminal tests' },
  { name: 'script', apt: 'bsdutils', found: () => onPath('script'), why: 'for the progress bar test on a terminal' },
  { name: 'openssl', apt: 'openssl', found: () => onPath('openssl'), why: 'for the HTTPS Immich test' },
  { name: 'sha256sum', apt: 'coreutils', found: () => onPath('sha256sum'), why: 'for the dry-run test' },
];

if (process.argv.includes('--apt-packages')) {
  console.log(PREREQUISITES.map((p) => p.apt).join(' '));
} else {
  const missing = PREREQUISITES.filter((p) => !p.found());
  if (missing.length > 0) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    const install = `${sudo}apt-get install -y ${[...new Set(missing.map((p) => p.apt))].join(' ')}`;
    const names = missing.map((p) => `${p.name} (${p.why})`).join(', ');
    console.error(`npm test needs programs that are not installed here: ${names}. Install them with: ${install}`);
    process.exit(1);
  }
}
