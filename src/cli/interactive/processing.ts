/**
 * Section 2, how photos are grouped: the threshold (with the seed's guide), the time window, the
 * smallest group kept and the worker threads. Ranges and messages come from the run options.
 */
import { type Draft, type Section, type SetupContext, askInteger, withSettings } from './context.js';

/** The seed's threshold guide, with what each band keeps here (README "How photos are grouped"). */
export const THRESHOLD_GUIDE: readonly string[] = [
  'Similarity threshold guide (0-64, lower is stricter):',
  '   0-3   duplicates: resized, re-encoded or converted copies of one picture',
  '   4-6   bursts and exposure brackets, tight re-framings (default 5)',
  '   7-10  similar scenes: re-framed, or shot from a slightly moved spot',
  '   11+   very loose: may group different scenes that merely look alike',
];

/** A threshold in words, for the summary. */
export function thresholdBand(t: number): string {
  if (t <= 3) return 'duplicates only';
  if (t <= 6) return 'bursts';
  if (t <= 10) return 'similar scenes';
  return 'very loose';
}

export const processingSection: Section = async (draft, ctx) => {
  const s = draft.settings;
  ctx.say();
  for (const line of THRESHOLD_GUIDE) ctx.say(`  ${line}`);
  const threshold = await askInteger(ctx, 'threshold', 'Similarity threshold:', s.threshold);
  const timeWindow = await askInteger(
    ctx,
    'timeWindow',
    'Time window in seconds: only photos taken this close together are grouped (0 ignores time):',
    s.timeWindow,
  );
  const minGroupSize = await askInteger(ctx, 'minGroupSize', 'Smallest group kept (at least 2 photos):', s.minGroupSize);
  const threads = await askInteger(ctx, 'threads', 'Worker threads (results never depend on it):', s.threads);
  const next = withSettings(draft, { threshold, timeWindow, minGroupSize, threads });
  return askMedia(next, ctx);
};

/** Photos, clips or both, and for clips which key frames stand for each (README "Video clips"). */
async function askMedia(draft: Draft, ctx: SetupContext): Promise<Draft> {
  const s = draft.settings;
  const mediaType = await ctx.prompt.choose({
    message: 'Which files should be grouped?',
    choices: [
      { value: 'image' as const, name: 'Photos', description: 'Photos only; video clips are left alone.' },
      { value: 'video' as const, name: 'Video clips', description: 'Clips only (.mp4, .mov, .mkv …): copies and takes of one scene.' },
      { value: 'all' as const, name: 'Photos and video clips', description: 'Both, each kind grouped apart.' },
    ],
    default: s.mediaType,
  });
  if (mediaType === 'image') return withSettings(draft, { mediaType });
  const videoStrategy = await ctx.prompt.choose({
    message: 'Which key frames stand for a clip?',
    choices: [
      { value: 'scene_change' as const, name: 'Where the picture changes (scene_change)' },
      { value: 'fixed_interval' as const, name: 'Evenly in time (fixed_interval)' },
      { value: 'iframe' as const, name: "The encoder's key frames, evenly (iframe)" },
    ],
    default: s.videoStrategy,
  });
  const videoMaxFrames = await askInteger(ctx, 'videoMaxFrames', 'Most key frames kept per clip:', s.videoMaxFrames);
  return withSettings(draft, { mediaType, videoStrategy, videoMaxFrames });
}
