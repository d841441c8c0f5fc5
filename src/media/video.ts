/**
 * The one adapter to ffprobe and ffmpeg (binaries shipped in npm packages): a clip's stream facts,
 * validated with zod, and its key frames decoded small. Each call is one child process with a
 * timeout; the caller bounds how many run at once (one per worker thread, ffmpeg on one thread).
 * Every problem with the file is a MediaError with a one-line message.
 */
import { spawn } from 'node:child_process';
import { type FileHandle, open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { sheetGrid } from '../core/clip-faces.js';
import { fingerprintFromPixels } from '../core/fingerprint.js';
import type { CaptureTime, Fingerprint, FsPath } from '../core/types.js';
import { type DecodedImage, MediaError } from './contract.js';
import { mediaErrorFromFs, oneLine } from './file.js';

const require = createRequire(import.meta.url);

/** Where the binaries are: resolved on first use, so importing this module starts nothing. */
function binary(name: 'ffmpeg' | 'ffprobe'): string {
  const pkg = name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  return (require(pkg) as { path: string }).path;
}

/** Longest side key frames are decoded at: enough for the 9x8 dHash, the 32x32 sketch and sharpness. */
export const FRAME_SIDE = 192;
/** Clips longer than this are refused: a corrupt header claiming days, or footage no album needs judged. */
export const MAX_DURATION_S = 6 * 3600;

const PROBE_TIMEOUT_MS = 20_000;
/** Seconds between two frames kept from the decoder (key frames are rarely closer). */
const MIN_FRAME_GAP_S = 0.5;

/** The input as ffmpeg's argument: the descriptor withInput hands over, `file:` so no protocol is guessed. */
const INPUT = 'file:/dev/fd/3';

/** What ffprobe says of a clip, before any frame is decoded. */
export interface ClipProbe {
  readonly durationS: number;
  /** Display size: rotation applied. */
  readonly width: number;
  readonly height: number;
  readonly codec: string;
  readonly fps: number | null;
  readonly bitrate: number | null;
  readonly rotation: number;
  readonly takenAt: CaptureTime | null;
  readonly make: string | null;
  readonly model: string | null;
  readonly contentId: string | null;
}

const numeric = z.union([z.string(), z.number()]).optional();
const tags = z.record(z.string(), z.string()).optional();
const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        avg_frame_rate: z.string().optional(),
        r_frame_rate: z.string().optional(),
        bit_rate: numeric,
        duration: numeric,
        disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
        tags,
        side_data_list: z.array(z.object({ rotation: z.number().optional() }).passthrough()).optional(),
      }),
    )
    .default([]),
  format: z.object({ duration: numeric, bit_rate: numeric, tags }).optional(),
});

/** The QuickTime tag a Live Photo's MOV carries its content identifier in (its still's MakerNote has the same). */
const CONTENT_ID_TAG = 'com.apple.quicktime.content.identifier';
const contentIdSchema = z.object({ format: z.object({ tags }).optional() });

/**
 * The Live Photo content identifier of a clip, asking ffprobe for that one tag (no stream is
 * looked at); null when it has none or cannot be read (a bad file is the fingerprint's to report).
 */
export async function clipContentId(path: FsPath): Promise<string | null> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_entries', `format_tags=${CONTENT_ID_TAG}`, '-i', INPUT];
  try {
    const out = await withInput(path, (fd) => run(binary('ffprobe'), args, fd, PROBE_TIMEOUT_MS));
    if (out.code !== 0) return null;
    const parsed = contentIdSchema.safeParse(JSON.parse(out.stdout.toString('utf8')));
    return parsed.success ? (parsed.data.format?.tags?.[CONTENT_ID_TAG] ?? null) : null;
  } catch (error) {
    if (error instanceof MediaError || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** The clip's facts. Throws MediaError when it is not a readable video. */
export async function probeClip(path: FsPath): Promise<ClipProbe> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', INPUT];
  const out = await withInput(path, (fd) => run(binary('ffprobe'), args, fd, PROBE_TIMEOUT_MS));
  if (out.code !== 0) throw new MediaError('corrupt', `not a readable video: ${firstError(out.stderr)}`);
  let parsed: z.output<typeof probeSchema>;
  try {
    parsed = probeSchema.parse(JSON.parse(out.stdout.toString('utf8')));
  } catch {
    throw new MediaError('corrupt', 'not a readable video: ffprobe gave no usable description');
  }
  const video = parsed.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (video === undefined || !video.width || !video.height) throw new MediaError('not-image', 'no video stream in the file');
  const durationS = number(parsed.format?.duration) ?? number(video.duration);
  if (durationS === null || durationS <= 0) throw new MediaError('corrupt', 'video without a duration (truncated or corrupt)');
  if (durationS > MAX_DURATION_S) {
    throw new MediaError('too-large', `video of ${(durationS / 3600).toFixed(1)} h (over the ${MAX_DURATION_S / 3600} h limit)`);
  }
  const rotation = displayRotation(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? number(video.tags?.rotate));
  const turned = rotation === 90 || rotation === 270;
  const fmt = parsed.format?.tags ?? {};
  return {
    durationS,
    width: turned ? video.height : video.width,
    height: turned ? video.width : video.height,
    codec: video.codec_name ?? 'unknown',
    fps: rate(video.avg_frame_rate) ?? rate(video.r_frame_rate),
    bitrate: number(video.bit_rate) ?? number(parsed.format?.bit_rate),
    rotation,
    takenAt: captureTime(fmt['com.apple.quicktime.creationdate'], fmt.creation_time ?? video.tags?.creation_time),
    make: fmt['com.apple.quicktime.make'] ?? null,
    model: fmt['com.apple.quicktime.model'] ?? null,
    contentId: fmt[CONTENT_ID_TAG] ?? null,
  };
}

/** A decoded key frame: its time and its fingerprint (computed as the frame streams in, pixels dropped). */
export interface KeyFrame {
  readonly t: number;
  readonly fingerprint: Fingerprint;
}

/**
 * Every key frame of the clip, decoded at FRAME_SIDE by ffmpeg itself (`-skip_frame nokey`: the
 * frames between key frames are never decoded), in time order. Throws MediaError when none decodes.
 */
export async function keyFrames(path: FsPath, probe: ClipProbe): Promise<KeyFrame[]> {
  const scale = Math.min(1, FRAME_SIDE / Math.max(probe.width, probe.height));
  const width = Math.max(8, 2 * Math.round((probe.width * scale) / 2));
  const height = Math.max(8, 2 * Math.round((probe.height * scale) / 2));
  const frameBytes = width * height * 3;
  const prints: Fingerprint[] = [];
  let pending: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= frameBytes) {
      prints.push(fingerprintFromPixels({ data: pending.subarray(0, frameBytes), width, height }, (probe.width * probe.height) / 1e6));
      pending = pending.subarray(frameBytes);
    }
  };
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'info', '-threads', '1', '-skip_frame', 'nokey', '-i', INPUT],
    ...['-map', '0:v:0', '-an', '-sn', '-vsync', '0', '-threads', '1'],
    // Some decoders (VP9) ignore -skip_frame and hand over every frame: at most two a second go on.
    ...['-vf', `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${MIN_FRAME_GAP_S})',scale=${width}:${height}:flags=area,showinfo`],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  // Key frames are about one a second: decoding them takes a fraction of the clip's length.
  const timeout = 30_000 + Math.min(600_000, probe.durationS * 1000);
  const out = await withInput(path, (fd) => run(binary('ffmpeg'), args, fd, timeout, onData));
  const times = [...out.stderr.toString('utf8').matchAll(/Parsed_showinfo[^\n]*?pts_time:\s*(-?[\d.]+)/g)].map((m) => Number(m[1]));
  if (out.timedOut) throw new MediaError('unreadable', `video decoding took over ${Math.round(timeout / 1000)} s`);
  if (prints.length === 0) {
    const why = out.code === 0 ? 'no frame could be decoded' : firstError(out.stderr);
    throw new MediaError('corrupt', `undecodable video: ${why}`);
  }
  return prints.map((fingerprint, i) => ({ t: Math.max(0, times[i] ?? (i * probe.durationS) / prints.length), fingerprint }));
}

/**
 * A still of the clip for people to look at (the review page's poster): the key frame a third of
 * the way in, turned as the clip is shown, long side at most `maxSide`. Throws MediaError.
 */
export async function posterFrame(path: FsPath, maxSide: number): Promise<DecodedImage> {
  const probe = await probeClip(path);
  const scale = Math.min(1, maxSide / Math.max(probe.width, probe.height));
  const width = Math.max(2, 2 * Math.round((probe.width * scale) / 2));
  const height = Math.max(2, 2 * Math.round((probe.height * scale) / 2));
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-ss', (probe.durationS / 3).toFixed(3), '-i', INPUT],
    ...['-map', '0:v:0', '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  const out = await withInput(path, (fd) => run(binary('ffmpeg'), args, fd, PROBE_TIMEOUT_MS));
  if (out.stdout.length < width * height * 3) throw new MediaError('corrupt', `undecodable video: ${firstError(out.stderr)}`);
  return { data: out.stdout.subarray(0, width * height * 3), width, height };
}

/**
 * The key frames at `times` (s, as keyFrames gave them) laid out two to a row in one picture
 * (core/clip-faces.ts sheetGrid), its long side at most `maxSide`: what face analysis looks at.
 * Only key frames are decoded. Throws MediaError.
 */
export async function keyFrameSheet(path: FsPath, times: readonly number[], maxSide: number): Promise<DecodedImage> {
  if (times.length === 0) throw new MediaError('corrupt', 'undecodable video: no key frame to look at');
  const probe = await probeClip(path);
  const { columns, rows } = sheetGrid(times.length);
  const scale = Math.min(1, maxSide / Math.max(probe.width * columns, probe.height * rows));
  const width = Math.max(2, 2 * Math.round((probe.width * scale) / 2));
  const height = Math.max(2, 2 * Math.round((probe.height * scale) / 2));
  // A key frame's time as ffmpeg reports it; a small window absorbs the rounding of stored times.
  const near = times.map((t) => `lt(abs(t-${t.toFixed(3)})\\,0.02)`).join('+');
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-skip_frame', 'nokey', '-i', INPUT],
    ...['-map', '0:v:0', '-an', '-sn', '-threads', '1'],
    ...['-vf', `select='${near}',scale=${width}:${height}:flags=area,tile=${columns}x${rows}`, '-frames:v', '1'],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  const timeout = 30_000 + Math.min(600_000, probe.durationS * 1000);
  const out = await withInput(path, (fd) => run(binary('ffmpeg'), args, fd, timeout));
  const bytes = width * columns * height * rows * 3;
  if (out.stdout.length < bytes) throw new MediaError('corrupt', `undecodable video: ${firstError(out.stderr)}`);
  return { data: out.stdout.subarray(0, bytes), width: width * columns, height: height * rows };
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly timedOut: boolean;
}

/** Runs a binary to completion (or kills it at the timeout); stdout goes to `onData` when given. */
function run(
  file: string,
  args: readonly string[],
  input: number,
  timeoutMs: number,
  onData?: (chunk: Buffer) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe', input] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => (onData ? onData(chunk) : out.push(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => {
      // showinfo writes a line per frame; a runaway decoder must not fill memory with its complaints.
      if (errBytes < 8 * 1024 * 1024) err.push(chunk);
      errBytes += chunk.length;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
    });
  });
}

/**
 * Opens the file here and hands ffmpeg its descriptor (as fd 3): a name that is not UTF-8 cannot
 * be a process argument, and a vanished or unreadable file fails with the usual one-line reason.
 */
async function withInput<T>(path: FsPath, use: (fd: number) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw mediaErrorFromFs(error);
  }
  try {
    return await use(handle.fd);
  } finally {
    await handle.close();
  }
}

function firstError(stderr: Buffer): string {
  const lines = stderr
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.includes('Parsed_showinfo'));
  const line = lines.find((l) => /error|invalid|corrupt|not found|no such|moov atom/i.test(l)) ?? lines.at(-1) ?? 'unknown error';
  // ffmpeg prefixes the input's name: the report already names the file.
  return oneLine(line.replace(`${INPUT}: `, '')).slice(0, 160);
}

function number(value: string | number | undefined): number | null {
  if (value === undefined || value === 'N/A') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function rate(text: string | undefined): number | null {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (m === null || Number(m[2]) === 0) return null;
  const fps = Number(m[1]) / Number(m[2]);
  return fps > 0 && fps < 1000 ? Math.round(fps * 1000) / 1000 : null;
}

/** ffprobe's rotation (counter-clockwise, may be negative) as a clockwise display turn. */
function displayRotation(degrees: number | null | undefined): number {
  if (degrees === null || degrees === undefined) return 0;
  return (((-Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/**
 * Capture time: QuickTime's creationdate is local wall-clock time with its offset (what a photo's
 * EXIF gives); the container's creation_time is UTC, kept as is with offset 0.
 */
export function captureTime(appleDate: string | undefined, creationTime: string | undefined): CaptureTime | null {
  const apple = appleDate === undefined ? null : /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)([+-])(\d\d):?(\d\d)$/.exec(appleDate.trim());
  if (apple !== null) {
    const wall = Date.parse(`${apple[1]}Z`);
    const offset = (apple[2] === '-' ? -1 : 1) * (Number(apple[3]) * 60 + Number(apple[4]));
    if (Number.isFinite(wall)) return { wallClockMs: wall, offsetMinutes: offset, source: 'QuickTimeCreationDate' };
  }
  if (creationTime === undefined) return null;
  const utc = Date.parse(creationTime);
  // Cameras without a clock write the epoch of 1904 or 1970: no time at all.
  if (!Number.isFinite(utc) || utc < Date.UTC(1980, 0, 1)) return null;
  return { wallClockMs: utc, offsetMinutes: 0, source: 'CreationTime' };
}
