/** Section 5, this run: a dry run first, a sample of the library, more detail, watching. */
import { CONFLICT_STRATEGIES } from '../../pipeline/options.js';
import { type Section, askInteger, withSettings } from './context.js';

export const runOptionsSection: Section = async (draft, ctx) => {
  const s = draft.settings;
  const dryRun = await ctx.prompt.confirm({ message: 'Dry run: show what would be done, change nothing?', default: s.dryRun });
  const limit = await askInteger(ctx, 'limit', 'Only the first N photos, to try settings on a sample (0 = all):', s.limit);
  const verbose = await ctx.prompt.confirm({ message: 'Verbose: timings and more detail in the summary?', default: s.verbose });
  // A dry run changes nothing, so there is nothing to keep organized.
  const watch = dryRun
    ? false
    : await ctx.prompt.confirm({ message: 'Keep watching: organize new photos as they arrive?', default: s.watch });
  if (!watch) return withSettings(draft, { dryRun, limit, verbose, watch });
  const pollInterval = await askInteger(ctx, 'pollInterval', 'Look for changes every N seconds:', s.pollInterval);
  if (s.sourceType !== 'immich') return withSettings(draft, { dryRun, limit, verbose, watch, pollInterval });
  const enableBidirSync = await ctx.prompt.confirm({
    message: 'Keep what you change on the server (stack cover, favourite, a photo taken out) as your review decision?',
    default: s.enableBidirSync,
  });
  const conflictStrategy = enableBidirSync
    ? await ctx.prompt.choose({
        message: 'When you changed what this tool set:',
        choices: CONFLICT_STRATEGIES.map((value) => ({ value, name: STRATEGY_NAMES[value] })),
        default: s.conflictStrategy,
      })
    : s.conflictStrategy;
  return withSettings(draft, { dryRun, limit, verbose, watch, pollInterval, enableBidirSync, conflictStrategy });
};

const STRATEGY_NAMES = {
  remote_wins: 'keep your change (remote_wins)',
  local_wins: "put this tool's pick back (local_wins)",
  manual: 'list it and change nothing until you decide in review (manual)',
} as const;
