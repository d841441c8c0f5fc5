/**
 * The vocabulary of the option table (options.ts): what a row holds, the sections of --help, and
 * the schema helpers whose messages name the flag and the range, sharp-style.
 */
import { z } from 'zod';

/** Face backends: `auto` picks the built-in one when it loads; the seed's names are aliases. */
export const FACE_BACKENDS = ['auto', 'human', 'none', 'face_recognition', 'mediapipe'] as const;
export type FaceBackendName = (typeof FACE_BACKENDS)[number];

/** --conflict-strategy: whose change wins when the user changed on the server what this tool set. */
export const CONFLICT_STRATEGIES = ['remote_wins', 'local_wins', 'manual'] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** What --source-type accepts: `hybrid` is read as an Immich run with a local copy (see hybridAsImmich). */
export const SOURCE_TYPES = ['local', 'immich', 'hybrid'] as const;

/** The headed sections of --help, in order. */
export const HELP_SECTIONS = {
  source: 'Source',
  grouping: 'Grouping',
  best: 'Best photo',
  output: 'Output',
  immich: 'Immich (with --source-type immich or hybrid)',
  run: 'Run',
} as const;
export type HelpSection = keyof typeof HELP_SECTIONS;

/**
 * How long a value lives: `run` values are saved in settings files and restored by --resume;
 * `invocation` values are saved but each command line gives its own (--resume does not restore
 * them); `once` values are neither (a saved --undo would be a trap on every -r).
 */
export type OptionScope = 'run' | 'invocation' | 'once';

export interface OptionRow<T> {
  /** Commander's flags, e.g. `-t, --threshold <n>`. */
  readonly flags: string;
  readonly default: T;
  /** The default as --help shows it, when the value itself would mislead (the machine's core count). */
  readonly defaultText?: string;
  readonly schema: z.ZodType<T>;
  /** How commander turns the typed text into a value; validation happens afterwards, in one place. */
  readonly parse?: 'integer' | 'decimal';
  readonly help: string;
  readonly section: HelpSection;
  readonly scope: OptionScope;
  /** The seed's settings-file key, null when the seed had none. */
  readonly seed: string | null;
}

export const MAX_INT = 2 ** 31 - 1;

export function describe(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'something that is not a number';
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** An integer in a range; "at least N" when there is no upper bound worth naming. */
export function int(flag: string, min: number, max: number) {
  const range = max === MAX_INT ? `an integer of at least ${min}` : `an integer between ${min} and ${max}`;
  const error = (iss: { input: unknown }) => `Expected ${range} for ${flag} but received ${describe(iss.input)}`;
  return z.number({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}

export function oneOf<const T extends readonly [string, ...string[]]>(flag: string, values: T, listed: readonly string[] = values) {
  return z.enum(values, { error: (iss) => `Expected one of ${listed.join(', ')} for ${flag} but received ${describe(iss.input)}` });
}

export function text(flag: string, what: string) {
  const error = `Expected ${what} for ${flag} but received ""`;
  return z.string({ error: (iss) => `Expected ${what} for ${flag} but received ${describe(iss.input)}` }).min(1, { error });
}

export const httpUrl = z
  .string({ error: (iss) => `Expected an http(s) URL for --immich-url but received ${describe(iss.input)}` })
  .refine((v) => /^https?:\/\/[^/\s]+/i.test(v), {
    error: (iss) => `Expected an http(s) URL for --immich-url but received ${describe(iss.input)}`,
  });

export const flag = (section: HelpSection, scope: OptionScope, flags: string, help: string, seed: string | null): OptionRow<boolean> => ({
  flags,
  default: false,
  schema: z.boolean(),
  help,
  section,
  scope,
  seed,
});
