/** Section 5, this run: a dry run first, a sample of the library, more detail. */
import { type Section, askInteger, withSettings } from './context.js';

export const runOptionsSection: Section = async (draft, ctx) => {
  const s = draft.settings;
  const dryRun = await ctx.prompt.confirm({ message: 'Dry run: show what would be done, change nothing?', default: s.dryRun });
  const limit = await askInteger(ctx, 'limit', 'Only the first N photos, to try settings on a sample (0 = all):', s.limit);
  const verbose = await ctx.prompt.confirm({ message: 'Verbose: timings and more detail in the summary?', default: s.verbose });
  return withSettings(draft, { dryRun, limit, verbose });
};
