/**
 * Saved settings (`.photo_organizer_settings.json`, the seed's file name): what `-i` saves and
 * `-r` runs. The schema is the run options' own (pipeline/options.ts) minus what only makes
 * sense for one invocation, plus a `version`. API keys have no field here, so they can never be
 * written. Parsing and migration are pure; load and save are the only file access.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { atomicWriteFile } from '../output/atomic.js';
import {
  DEFAULT_OPTIONS,
  FACE_BACKENDS,
  hybridAsImmich,
  OPTION_KEYS,
  OPTION_TABLE,
  type OptionKey,
  type OptionValues,
  optionValuesSchema,
  SAVED_KEYS,
} from '../pipeline/options.js';
import { SEED_UNSUPPORTED_SETTINGS } from './seed-flags.js';

export const SETTINGS_FILE = '.photo_organizer_settings.json';

/** Bumped when a field is renamed or its meaning changes; each bump adds a step to MIGRATIONS. */
export const SETTINGS_VERSION = 1;

/** One-run options (scope `once` in the options table): a saved `undo: true` would be a trap on every -r. */
type NotSaved = { [K in OptionKey]: (typeof OPTION_TABLE)[K]['scope'] extends 'once' ? K : never }[OptionKey];
const NOT_SAVED: ReadonlySet<string> = new Set(OPTION_KEYS.filter((k) => !SAVED_KEYS.includes(k)));

export type Settings = Omit<OptionValues, NotSaved>;
export type SettingKey = keyof Settings;

/** Every field optional (a missing one takes its default), unknown ones refused. */
const fieldsSchema = optionValuesSchema.pick(Object.fromEntries(SAVED_KEYS.map((k) => [k, true])) as Record<SettingKey, true>).partial();
const SETTING_KEYS = SAVED_KEYS as readonly SettingKey[];

/** Paths, resolved against the settings file's folder when written relative, `~` expanded. */
const PATH_KEYS = ['source', 'output', 'stateFile', 'immichCacheDir', 'immichLibraryPath'] as const satisfies readonly SettingKey[];

/** A settings file that cannot be used, with a message naming the file and the field. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export interface LoadedSettings {
  readonly settings: Settings;
  /** What migration changed or dropped, one line each. */
  readonly notes: readonly string[];
  /** The version the file was written in, when older than SETTINGS_VERSION (0: the seed's format). */
  readonly migratedFrom: number | null;
}

/** The defaults as settings: the starting point of the walkthrough. */
export function defaultSettings(): Settings {
  return pickSettings(DEFAULT_OPTIONS);
}

/** The saved fields of a set of run options. */
export function pickSettings(options: Readonly<OptionValues>): Settings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = options[key];
  return out as Settings;
}

/** `~/x` → `$HOME/x`. */
export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

/**
 * Parses a settings file's text: JSON, version check and migration, validation. `file` names the
 * file in messages and anchors relative paths. Throws SettingsError.
 */
export function parseSettings(text: string, file: string): LoadedSettings {
  const shown = displayName(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${shown}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SettingsError(`${shown}: expected a JSON object of settings`);
  let record = raw as Record<string, unknown>;
  const notes: string[] = [];
  const version = fileVersion(record, shown);
  if (version > SETTINGS_VERSION) {
    throw new SettingsError(
      `${shown} was saved by a newer photo-organizer (settings version ${version}; this one reads up to version ${SETTINGS_VERSION}): ` +
        'update photo-organizer, or save new settings with -i',
    );
  }
  for (let v = version; v < SETTINGS_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new SettingsError(`${shown}: settings version ${v} can no longer be read; save new settings with -i`);
    const migrated = step(record, shown);
    record = migrated.record;
    notes.push(...migrated.notes);
  }
  const { version: _version, ...fields } = record;
  const parsed = fieldsSchema.safeParse(fields);
  if (!parsed.success) throw new SettingsError(describeIssue(parsed.error.issues[0]!, fields, shown));
  const settings = { ...defaultSettings(), ...stripUndefined(parsed.data) } as Record<string, unknown>;
  const base = dirname(resolve(file));
  for (const key of PATH_KEYS) {
    const value = settings[key];
    if (typeof value === 'string') settings[key] = resolve(base, expandHome(value));
  }
  return { settings: settings as Settings, notes, migratedFrom: version < SETTINGS_VERSION ? version : null };
}

/** Reads and parses a settings file. Throws SettingsError (a missing file included). */
export function loadSettings(file: string): LoadedSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SettingsError(`settings file not found: ${file} (save one from the interactive setup, -i)`);
    throw new SettingsError(`cannot read the settings file ${file}: ${code ?? String(error)}`);
  }
  return parseSettings(text, file);
}

/** The file's text: `version` first, then every setting in DEFAULT_OPTIONS order, 2-space JSON. */
export function formatSettings(settings: Settings): string {
  const out: Record<string, unknown> = { version: SETTINGS_VERSION };
  for (const key of SETTING_KEYS) out[key] = settings[key];
  // Only schema fields are copied above, so nothing else (a key, say) can slip in; check the values.
  const checked = fieldsSchema.safeParse(Object.fromEntries(SETTING_KEYS.map((k) => [k, settings[k]])));
  if (!checked.success) throw new Error(`refusing to save invalid settings: ${checked.error.issues[0]!.message}`);
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Writes settings atomically (output/atomic.ts): an interrupted save leaves the old file or the new one, never half of one. */
export async function saveSettings(file: string, settings: Settings): Promise<void> {
  const target = resolve(file);
  await atomicWriteFile(dirname(target), basename(target), formatSettings(settings));
}

function fileVersion(record: Record<string, unknown>, shown: string): number {
  if (!('version' in record)) {
    // The seed wrote no version; its snake_case names (source_type…) give it away.
    if (Object.keys(record).some((k) => k.includes('_') && (k in SEED_KEYS || k in SEED_UNSUPPORTED))) return 0;
    throw new SettingsError(`${shown}: "version" is missing (this photo-organizer writes version ${SETTINGS_VERSION})`);
  }
  const v = record['version'];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new SettingsError(`${shown}: "version": expected a whole number of at least 1 but received ${JSON.stringify(v)}`);
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, fields: Record<string, unknown>, shown: string): string {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    if (NOT_SAVED.has(key)) return `${shown}: "${key}" cannot be saved: it applies to one run only (give it on the command line)`;
    const near = closest(key, SETTING_KEYS);
    return `${shown}: unknown setting "${key}"${near ? ` (did you mean "${near}"?)` : ''}`;
  }
  const field = String(issue.path[0] ?? '');
  const value = fields[field];
  // The run options' own messages name the flag and the range; zod's generic ones only the type.
  const message =
    issue.code === 'invalid_type' && !issue.message.includes(' for --')
      ? `expected ${expectedOf(field)} but received ${JSON.stringify(value)}`
      : issue.message;
  return `${shown}: "${field}": ${message}`;
}

/** What a field takes, in words, from its default's type. */
function expectedOf(field: string): string {
  const def = (DEFAULT_OPTIONS as Record<string, unknown>)[field];
  if (typeof def === 'boolean') return 'true or false';
  if (typeof def === 'number') return 'a number';
  if (field === 'faceBackend') return `one of ${FACE_BACKENDS.join(', ')}`;
  return def === null ? 'a string or null' : 'a string';
}

function stripUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** The setting name within two edits of a misspelt one, if any. */
function closest(key: string, keys: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of keys) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

function displayName(file: string): string {
  return isAbsolute(file) && dirname(file) === process.cwd() ? basename(file) : file;
}

// ---------------------------------------------------------------------------------------------
// Migrations: MIGRATIONS[v] turns a version-v record into a version v+1 record.
// ---------------------------------------------------------------------------------------------

type Migration = (record: Record<string, unknown>, shown: string) => { record: Record<string, unknown>; notes: string[] };

/** The seed's snake_case names that have an equivalent here (no_verify_ssl is inverted below), from the options table. */
const SEED_KEYS: Readonly<Record<string, SettingKey | null>> = {
  ...Object.fromEntries(SETTING_KEYS.flatMap((k) => (OPTION_TABLE[k].seed === null ? [] : [[OPTION_TABLE[k].seed, k]]))),
  // The seed saved this (it never should have); it is dropped without a word about its value.
  immich_api_key: null,
};

/** Seed features this version does not have, with the value that means "not used" (seed-flags.ts). */
const SEED_UNSUPPORTED = SEED_UNSUPPORTED_SETTINGS;

/** The seed kept excluded people as "Rex, Tom" or as a list. */
function nameList(value: unknown): unknown {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '')
    : value;
}

const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // The seed's file (src/interactive.py): snake_case names, no version, features we do not have.
  0: (record, shown) => {
    const out: Record<string, unknown> = { version: 1 };
    const ignored: string[] = [];
    for (const [key, value] of Object.entries(record)) {
      if (key in SEED_KEYS) {
        const ours = SEED_KEYS[key];
        if (ours === null || ours === undefined) continue;
        // The seed wrote null or "" for "not set": our default where null is no value.
        const blank = value === null || value === '';
        if (blank && DEFAULT_OPTIONS[ours] !== null) continue;
        out[ours] = blank ? null : key === 'no_verify_ssl' ? value !== true : key === 'excluded_people' ? nameList(value) : value;
      } else if (key in SEED_UNSUPPORTED || key.startsWith('apple_')) {
        if (!unused(value, SEED_UNSUPPORTED[key])) ignored.push(key);
      } else {
        throw new SettingsError(`${shown}: unknown setting "${key}" in a settings file of the seed's format`);
      }
    }
    // The seed saved its library path whatever the source: it only ever meant something for hybrid.
    if (out['sourceType'] === 'hybrid') Object.assign(out, hybridAsImmich(out));
    else delete out['immichLibraryPath'];
    if (out['sourceType'] !== undefined && out['sourceType'] !== 'local' && out['sourceType'] !== 'immich') {
      throw new SettingsError(
        `${shown}: "source_type": ${JSON.stringify(out['sourceType'])} is not supported here (local, immich or hybrid)`,
      );
    }
    const notes = [`${shown} is in the seed's format: read and converted (save it from -i to keep the new format)`];
    // The seed's other backends (facenet, insightface, yolov8) have no equivalent here.
    if (typeof out['faceBackend'] === 'string' && !(FACE_BACKENDS as readonly string[]).includes(out['faceBackend'])) {
      notes.push(`face_backend "${out['faceBackend']}" does not exist here: using auto`);
      out['faceBackend'] = 'auto';
    }
    if (ignored.length > 0) notes.push(`ignored seed settings this version does not have: ${ignored.join(', ')}`);
    return { record: out, notes };
  },
};

function unused(value: unknown, off: unknown): boolean {
  return value === off || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0);
}
