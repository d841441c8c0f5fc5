import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultSettings,
  formatSettings,
  loadSettings,
  parseSettings,
  saveSettings,
  SETTINGS_VERSION,
  SettingsError,
} from '../../src/cli/settings.js';

const FILE = '/home/me/albums/settings.json';

function parse(content: unknown): ReturnType<typeof parseSettings> {
  return parseSettings(JSON.stringify(content), FILE);
}

function problem(content: unknown): string {
  try {
    parse(content);
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('settings files', () => {
  it('round-trips every setting, version first, with no key field at all', () => {
    const settings = {
      ...defaultSettings(),
      sourceType: 'immich' as const,
      immichUrl: 'https://photos.example.com',
      tagOnly: true,
      threshold: 8,
      immichPerson: 'Alice',
    };
    const text = formatSettings(settings);
    expect(Object.keys(JSON.parse(text) as object)[0]).toBe('version');
    expect(text).not.toMatch(/api.?key/i);
    expect(parseSettings(text, FILE)).toEqual({ settings, notes: [], migratedFrom: null });
  });

  it('fills missing settings with the defaults', () => {
    expect(parse({ version: 1, threshold: 2 }).settings).toEqual({ ...defaultSettings(), threshold: 2 });
  });

  it('resolves relative paths against the file’s folder and expands ~', () => {
    const { settings } = parse({ version: 1, source: 'Photos', output: '../Organized', immichCacheDir: '~/cache' });
    expect(settings.source).toBe('/home/me/albums/Photos');
    expect(settings.output).toBe('/home/me/Organized');
    expect(settings.immichCacheDir).toMatch(/\/cache$/);
    expect(settings.immichCacheDir.startsWith('~')).toBe(false);
  });

  it('names the file and the field of an unknown, mistyped or out-of-range setting', () => {
    expect(problem({ version: 1, thresold: 3 })).toBe(`${FILE}: unknown setting "thresold" (did you mean "threshold"?)`);
    expect(problem({ version: 1, colour: 'red' })).toBe(`${FILE}: unknown setting "colour"`);
    expect(problem({ version: 1, verbose: 'yes' })).toBe(`${FILE}: "verbose": expected true or false but received "yes"`);
    expect(problem({ version: 1, timeWindow: '300' })).toBe(
      `${FILE}: "timeWindow": Expected an integer of at least 0 for --time-window but received "300"`,
    );
    expect(problem({ version: 1, minGroupSize: 1 })).toBe(
      `${FILE}: "minGroupSize": Expected an integer of at least 2 for --min-group-size but received 1`,
    );
    expect(problem({ version: 1, faceBackend: 'dlib' })).toBe(
      `${FILE}: "faceBackend": Expected one of auto, human, none, face_recognition, mediapipe for --face-backend but received "dlib"`,
    );
    expect(problem({ version: 1, immichUrl: 'photos.example.com' })).toContain('"immichUrl": Expected an http(s) URL for --immich-url');
  });

  it('refuses per-run options: a saved undo or force-fresh would strike on every -r', () => {
    expect(problem({ version: 1, undo: true })).toBe(
      `${FILE}: "undo" cannot be saved: it applies to one run only (give it on the command line)`,
    );
    expect(problem({ version: 1, resume: true })).toContain('"resume" cannot be saved');
  });

  it('refuses a newer version, a missing or malformed one, and what is not a JSON object', () => {
    expect(problem({ version: SETTINGS_VERSION + 1 })).toBe(
      `${FILE} was saved by a newer photo-organizer (settings version ${SETTINGS_VERSION + 1}; this one reads up to version ${SETTINGS_VERSION}): update photo-organizer, or save new settings with -i`,
    );
    expect(problem({ threshold: 3 })).toBe(`${FILE}: "version" is missing (this photo-organizer writes version ${SETTINGS_VERSION})`);
    expect(problem({ version: '1' })).toBe(`${FILE}: "version": expected a whole number of at least 1 but received "1"`);
    expect(problem([1, 2])).toBe(`${FILE}: expected a JSON object of settings`);
    expect(() => parseSettings('{"version": 1,', FILE)).toThrow(/settings\.json: not valid JSON/);
  });

  it("migrates the seed's file: snake_case names, inverted SSL flag, unsupported features noted, key dropped", () => {
    const loaded = parse({
      source_type: 'immich',
      immich_url: 'https://photos.example.com',
      immich_api_key: 'secret-from-the-seed',
      no_verify_ssl: true,
      tag_only: true,
      threshold: 3,
      time_window: 0,
      limit: null,
      immich_album: '',
      face_backend: 'insightface',
      enable_hdr: true,
      hdr_gamma: 2.6,
      enable_face_swap: true,
      media_type: 'image',
      gpu: true,
    });
    expect(loaded.migratedFrom).toBe(0);
    expect(loaded.settings).toMatchObject({
      sourceType: 'immich',
      immichUrl: 'https://photos.example.com',
      verifySsl: false,
      tagOnly: true,
      threshold: 3,
      timeWindow: 0,
      limit: 0,
      immichAlbum: null,
      faceBackend: 'auto',
      enableHdr: true,
      hdrGamma: 2.6,
      enableFaceSwap: true,
    });
    expect(JSON.stringify(loaded)).not.toContain('secret-from-the-seed');
    expect(loaded.notes).toEqual([
      `${FILE} is in the seed's format: read and converted (save it from -i to keep the new format)`,
      'face_backend "insightface" does not exist here: using auto',
      'ignored seed settings this version does not have: gpu',
    ]);
  });

  it("refuses the seed's sources that do not exist here, and reads hybrid as Immich with its library folder", () => {
    expect(problem({ source_type: 'apple', threshold: 5 })).toBe(
      `${FILE}: "source_type": "apple" is not supported here (local, immich or hybrid)`,
    );
    expect(parse({ source_type: 'hybrid', immich_url: 'https://p.example', immich_library_path: '/mnt/immich' }).settings).toMatchObject({
      sourceType: 'immich',
      immichLibraryPath: '/mnt/immich',
    });
    expect(parse({ source_type: 'hybrid', immich_url: 'https://p.example' }).settings.immichLibraryPath).toBe(
      '/mnt/photos/immich-app/library',
    );
    // The seed saved its default library path for every source: it means nothing outside hybrid.
    expect(
      parse({ source_type: 'immich', immich_url: 'https://p.example', immich_library_path: '/mnt/photos/immich-app/library' }).settings
        .immichLibraryPath,
    ).toBeNull();
  });

  it('saves atomically: the old file is replaced whole and no temp file stays behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-settings-'));
    const file = join(dir, '.photo_organizer_settings.json');
    writeFileSync(file, 'old contents');
    await saveSettings(file, { ...defaultSettings(), threshold: 9 });
    expect(readdirSync(dir)).toEqual(['.photo_organizer_settings.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, threshold: 9 });
    expect(loadSettings(file).settings.threshold).toBe(9);
  });

  it('says so when the file is not there', () => {
    expect(() => loadSettings('/nonexistent/settings.json')).toThrow('settings file not found: /nonexistent/settings.json');
  });
});
