/**
 * The seed's flags that have no option of the same name here: where each went, or why it is not
 * supported. Typed on the command line they get this hint instead of a bare "unknown option";
 * the settings converter (settings.ts) reads the same rows for the seed's settings-file keys.
 */

interface SeedOnlyFlag {
  /** What the user types, e.g. `--web-viewer`. */
  readonly flag: string;
  /** The seed's settings-file key and the value that means "not used", when its file had one. */
  readonly setting?: { readonly key: string; readonly off: unknown };
  readonly hint: string;
}

const REVIEW = 'the review page is a command here: {command} review -o OUTPUT --open';
const CPU_ONLY = 'everything runs on the CPU here (face models on WebAssembly): drop the flag';

export const SEED_ONLY_FLAGS: readonly SeedOnlyFlag[] = [
  { flag: '--web-viewer', hint: REVIEW },
  { flag: '--live-viewer', setting: { key: 'live_viewer', off: false }, hint: `${REVIEW} (after the run)` },
  { flag: '--report', hint: `${REVIEW} (it reads the last run's catalog)` },
  { flag: '--report-dir', hint: `${REVIEW} (reports are in OUTPUT/reports)` },
  { flag: '--port', hint: 'give it to the review command: {command} review -o OUTPUT --port N' },
  { flag: '--cleanup', hint: 'to take back what runs changed on an Immich server use --undo; a local output folder is yours to delete' },
  { flag: '--gpu', setting: { key: 'gpu', off: false }, hint: CPU_ONLY },
  { flag: '--no-gpu', hint: CPU_ONLY },
  { flag: '--gpu-device', setting: { key: 'gpu_device', off: 0 }, hint: CPU_ONLY },
  {
    flag: '--no-ml-quality',
    setting: { key: 'no_ml_quality', off: false },
    hint: 'there is no ML quality scorer here (the seed never used its own): drop the flag',
  },
  { flag: '--skip-local-hashing', hint: 'it had no effect in the seed: drop the flag' },
  { flag: '--cpu-limit', hint: 'use --threads N to use fewer cores' },
  // An option of the seed's scripts/immich.sh wrapper, not of its CLI; users carry it over all the same.
  { flag: '--ignore-timestamp', hint: 'group without capture times with --time-window 0' },
];

const APPLE = 'the Apple Photos source needs macOS and its library: export the photos to a folder and give it with -s';

/**
 * The hint for a seed flag typed on the command line (`--web-viewer` or `--port=8080`), or null;
 * `command` is the command as the user typed it, for the hints that name another command.
 */
export function seedFlagHint(typed: string, command: string): string | null {
  const name = typed.split('=')[0]!;
  if (name.startsWith('--apple-')) return `${name}: ${APPLE}`;
  const row = SEED_ONLY_FLAGS.find((f) => f.flag === name);
  return row === undefined ? null : `${name} is a flag of the Python photo organizer: ${row.hint.replace('{command}', command)}`;
}

/** The seed's settings-file keys of features this version does not have, with their "not used" value. */
export const SEED_UNSUPPORTED_SETTINGS: Readonly<Record<string, unknown>> = Object.fromEntries(
  SEED_ONLY_FLAGS.flatMap((f) => (f.setting === undefined ? [] : [[f.setting.key, f.setting.off]])),
);
