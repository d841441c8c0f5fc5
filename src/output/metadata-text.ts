/**
 * metadata.txt: the seed's per-group text file (SPEC §2.8), with the keys our catalog knows in a
 * fixed order instead of whatever dict order the seed happened to build. Pure.
 */
import { baseName, displayPath } from '../core/paths.js';
import { bitrateText } from '../core/clip-scoring.js';
import { mediaCount } from '../core/clips.js';
import type { CaptureTime, FsPath, GpsPosition, GroupKind, Photo, Decision, VideoFacts } from '../core/types.js';

/** A group member as the output stage sees it: the photo's stored facts plus its verdict. */
export interface OutputPhoto {
  readonly photo: Pick<Photo, 'path' | 'relativePath' | 'size' | 'mtimeMs' | 'meta'>;
  readonly decision: Pick<Decision, 'score' | 'reason' | 'isBest' | 'keep'>;
  /** A Live Photo's motion clip, copied next to its still (named after it, with its own extension). */
  readonly companion?: CompanionFile;
}

/** A file that travels with a group member without being one: a Live Photo's MOV. */
export interface CompanionFile {
  readonly path: FsPath;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Minutes east of UTC in effect at a given instant (ms). The default reads the process time zone;
 * tests pass a constant so the text does not depend on the machine.
 */
export type LocalOffset = (epochMs: number) => number;

export const systemLocalOffset: LocalOffset = (epochMs) => -new Date(epochMs).getTimezoneOffset();

export interface MetadataTextOptions {
  /** Default: the process time zone. */
  readonly localOffset?: LocalOffset;
  /** The group's kind, for the header; left out of it when not given. */
  readonly kind?: GroupKind;
}

/** The header's words for each kind of group. */
const KIND_WORDS: Readonly<Record<GroupKind, string>> = {
  duplicate: 'duplicate (the same picture: resized, re-encoded or converted copies)',
  burst: 'burst (frames shot in quick succession)',
  similar: 'similar (the same scene, re-framed or from a slightly moved viewpoint)',
};

const RULE_HEAVY = '='.repeat(80);
const RULE_LIGHT = '-'.repeat(80);

/** Renders metadata.txt for one group, photos in the given order, ending with an empty line. */
export function renderMetadataText(photos: readonly OutputPhoto[], options: MetadataTextOptions = {}): string {
  const localOffset = options.localOffset ?? systemLocalOffset;
  // The seed's first three lines stay as they were; the group's own lines follow, then the photos.
  // A group of photos keeps the seed's header word for word; clips are counted as clips.
  const clips = photos.filter((p) => p.photo.meta.format === 'video').length;
  const count = clips === 0 ? `${photos.length} images` : mediaCount(photos.length - clips, clips);
  const lines: string[] = [`${clips === photos.length ? 'Clip' : 'Photo'} Group - ${count}`, RULE_HEAVY, ''];
  for (const [key, value] of groupHeader(photos, options.kind)) lines.push(`${key}: ${oneLine(value)}`);
  lines.push('');
  photos.forEach((member, i) => {
    lines.push(
      `${member.photo.meta.format === 'video' ? 'Clip' : 'Photo'} ${i + 1}: ${oneLine(displayPath(baseName(member.photo.path)))}`,
      RULE_LIGHT,
    );
    for (const [key, value] of metadataEntries(member, localOffset)) {
      lines.push(`${key}: ${oneLine(value)}`);
    }
    lines.push('');
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The group's own `key: value` lines, above the photos: its kind, which photo is best and by how
 * much, why, and the time the photos span.
 */
export function groupHeader(photos: readonly OutputPhoto[], kind?: GroupKind): readonly (readonly [string, string])[] {
  const entries: [string, string][] = [];
  if (kind !== undefined) entries.push(['kind', KIND_WORDS[kind]]);
  const best = photos.find((p) => p.decision.isBest);
  if (best !== undefined) {
    const others = photos.filter((p) => p !== best).map((p) => p.decision.score);
    const lead = others.length === 0 ? '' : `, ahead of the next by ${(best.decision.score - Math.max(...others)).toFixed(3)}`;
    entries.push(
      ['best', `${displayPath(baseName(best.photo.path))} (score ${best.decision.score.toFixed(3)}${lead})`],
      ['why', best.decision.reason],
    );
  }
  const times = photos
    .flatMap((p) => (p.photo.meta.takenAt === null ? [] : [p.photo.meta.takenAt]))
    .sort((a, b) => a.wallClockMs - b.wallClockMs);
  const first = times[0];
  const last = times.at(-1);
  if (first === undefined || last === undefined) entries.push(['time_span', 'unknown (no capture dates)']);
  else if (first.wallClockMs === last.wallClockMs) entries.push(['time_span', `${formatCaptureTime(first)} (all at once)`]);
  else
    entries.push([
      'time_span',
      `${formatCaptureTime(first)} to ${formatCaptureTime(last)} (${formatSpan(last.wallClockMs - first.wallClockMs)})`,
    ]);
  if (times.length > 0 && times.length < photos.length) entries.push(['undated', String(photos.length - times.length)]);
  return entries;
}

/** `4 s`, `12 min 5 s`, `3 h 20 min`, `2 days 4 h`: the span's two largest units. */
export function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${Math.max(s, ms > 0 ? 1 : 0)} s`.replace(/^0 s$/, 'under a second');
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 > 0 ? ` ${s % 60} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) > 0 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  const days = Math.floor(s / 86400);
  return `${days} day${days === 1 ? '' : 's'}${Math.floor((s % 86400) / 3600) > 0 ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}

/** The `key: value` pairs of one photo, in the documented order. */
export function metadataEntries(member: OutputPhoto, localOffset: LocalOffset = systemLocalOffset): readonly (readonly [string, string])[] {
  const { photo, decision } = member;
  const meta = photo.meta;
  const entries: [string, string][] = [
    ['filename', displayPath(baseName(photo.path))],
    ['filepath', displayPath(photo.path)],
    ['filesize', String(photo.size)],
    ['modified_time', formatLocalIso(photo.mtimeMs, localOffset)],
    ['dimensions', `${meta.width}x${meta.height}`],
    ['format', meta.format.toUpperCase()],
  ];
  if (meta.takenAt !== null) entries.push(['taken_at', formatCaptureTime(meta.takenAt)]);
  if (meta.video !== undefined) entries.push(...videoEntries(meta.video));
  if (member.companion !== undefined) entries.push(['live_photo_video', displayPath(baseName(member.companion.path))]);
  for (const [name, value] of meta.exif) entries.push([`exif_${name}`, value]);
  if (meta.gps !== null) entries.push(['gps', formatGps(meta.gps)]);
  entries.push(['score', decision.score.toFixed(3)], ['best', decision.isBest ? 'yes' : 'no'], ['reason', decision.reason]);
  if (decision.keep === true) entries.push(['keep', 'yes (marked in review)']);
  return entries;
}

/** A clip's stream facts: duration, codec, frame rate, bitrate, and its rotation when turned. */
function videoEntries(video: VideoFacts): [string, string][] {
  const entries: [string, string][] = [
    ['duration', `${video.durationS.toFixed(2)} s`],
    ['codec', video.codec],
    ['fps', video.fps === null ? 'unknown' : String(video.fps)],
    ['bitrate', bitrateText(video.bitrate)],
  ];
  if (video.rotation !== 0) entries.push(['rotation', `${video.rotation}°`]);
  return entries;
}

/**
 * Local wall-clock ISO time without offset, like Python's `datetime.fromtimestamp(t).isoformat()`:
 * `2024-05-01T14:03:07`, with `.ffffff` microseconds only when they are non-zero.
 */
export function formatLocalIso(epochMs: number, localOffset: LocalOffset = systemLocalOffset): string {
  // Whole microseconds first: mtimeMs carries sub-millisecond digits, and rounding once here keeps
  // the seconds and the fraction consistent (no 59.9999995 -> "60").
  const micros = Math.round((epochMs + localOffset(epochMs) * 60_000) * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  const base = isoFromUtcComponents(seconds * 1000);
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(6, '0')}`;
}

/**
 * The camera's capture time as ISO 8601: `2024-05-01T14:03:07`, `.sss` when the camera recorded
 * sub-seconds, and `+02:00` when the file records its UTC offset (naive otherwise).
 */
export function formatCaptureTime(time: CaptureTime): string {
  const whole = Math.floor(time.wallClockMs / 1000) * 1000;
  const ms = time.wallClockMs - whole;
  const base = isoFromUtcComponents(whole) + (ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`);
  return time.offsetMinutes === null ? base : base + formatOffset(time.offsetMinutes);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `YYYY-MM-DDTHH:MM:SS` of a ms value read as UTC components. */
function isoFromUtcComponents(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const yyyy = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : String(year);
  return (
    `${yyyy}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

function formatGps(gps: GpsPosition): string {
  const base = `${gps.latitude.toFixed(6)}, ${gps.longitude.toFixed(6)}`;
  return gps.altitude === null ? base : `${base}, ${gps.altitude.toFixed(1)} m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Keeps one entry on one line. The seed wrote values unescaped, so an EXIF comment with a newline
 * broke the layout for every reader; control characters become visible escapes instead.
 */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes.
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
