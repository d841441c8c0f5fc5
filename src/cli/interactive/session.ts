/**
 * The interactive setup from start to finish: offer saved settings (then straight to the
 * summary), or walk through the sections in order; then the summary loop until the person runs
 * or quits. Returns what to run; starting the run is the caller's job, through the same path as
 * a command-line run. Ctrl+C surfaces as an error isPromptCancel() recognizes.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_OPTIONS, validateOptions, validateValues } from '../../pipeline/options.js';
import { ALIAS } from '../command-name.js';
import { hasServerActions } from '../../immich/actions/groups.js';
import { formatSettings, loadSettings, saveSettings, SettingsError, type Settings } from '../settings.js';
import { actionsSection } from './actions.js';
import { bestPhotoSection } from './best-photo.js';
import type { Draft, Section, SetupContext } from './context.js';
import { processingSection } from './processing.js';
import { runOptionsSection } from './run-options.js';
import { connectImmich } from './server.js';
import { sourceSection } from './source.js';
import { chooseSection, SECTION_ORDER, SECTION_TITLES, type SectionId, summaryMenu } from './summary.js';

const SECTIONS: Readonly<Record<SectionId, Section>> = {
  source: sourceSection,
  processing: processingSection,
  best: bestPhotoSection,
  actions: actionsSection,
  run: runOptionsSection,
};

export interface SetupInput {
  /** Defaults with the flags typed next to -i on top. */
  readonly initial: Draft;
  /** Flags typed next to -i: they win over loaded settings too. */
  readonly overrides: Partial<Settings>;
  /** The settings file offered for loading and saved to. */
  readonly settingsPath: string;
  /** The command as the user typed it, for hints (default photo-organizer). */
  readonly command?: string;
}

export type SetupResult = { readonly kind: 'run'; readonly draft: Draft } | { readonly kind: 'quit' };

export async function interactiveSetup(input: SetupInput, ctx: SetupContext): Promise<SetupResult> {
  ctx.say('photo-organizer: interactive setup');
  ctx.say('Enter keeps the default shown in (parentheses). Ctrl+C quits at any time without saving.');
  let draft = input.initial;
  let savedText: string | null = null;
  const loaded = await offerSaved(input, ctx);
  if (loaded !== null) {
    draft = { ...draft, settings: { ...loaded, ...input.overrides } };
    // "Saved" means the file holds what is shown: not so when flags changed something.
    savedText = formatSettings(loaded);
    if (draft.settings.sourceType === 'immich') draft = await connectImmich(draft, ctx, 'loaded');
  } else {
    for (const id of SECTION_ORDER) {
      ctx.say();
      ctx.say(`${SECTION_ORDER.indexOf(id) + 1}. ${SECTION_TITLES[id]}`);
      draft = await SECTIONS[id](draft, ctx);
    }
  }
  for (;;) {
    const saved = savedText === formatSettings(draft.settings);
    const choice = await summaryMenu(draft, ctx, input.settingsPath, saved, input.command ?? ALIAS);
    if (choice === 'quit') {
      // Answers typed for a while are lost on quit unless saved: ask once before dropping them.
      if (
        saved ||
        (await ctx.prompt.confirm({ message: 'These settings are not saved. Quit anyway (nothing is run or saved)?', default: false }))
      ) {
        return { kind: 'quit' };
      }
      continue;
    }
    if (choice === 'run') {
      const problem = notReady(draft);
      if (problem === null) return { kind: 'run', draft };
      ctx.say(`  Cannot run yet: ${problem}`);
    } else if (choice === 'save') {
      try {
        await saveSettings(input.settingsPath, draft.settings);
        savedText = formatSettings(draft.settings);
        ctx.say(`  Saved to ${input.settingsPath} (without the API key). Run them again with: ${input.command ?? ALIAS} -r`);
      } catch (error) {
        ctx.say(`  Could not save: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else {
      const id = await chooseSection(draft, ctx);
      if (id === 'back') continue;
      const before = draft.settings.sourceType;
      draft = await SECTIONS[id](draft, ctx);
      // A folder and a server have different actions: switching asks the new ones.
      if (id === 'source' && draft.settings.sourceType !== before && draft.settings.sourceType === 'immich')
        draft = await actionsSection(draft, ctx);
    }
  }
}

/** Offers the settings file when there is one; null when there is none, it is declined, or it is unusable. */
async function offerSaved(input: SetupInput, ctx: SetupContext): Promise<Settings | null> {
  if (!existsSync(input.settingsPath)) return null;
  ctx.say();
  if (
    !(await ctx.prompt.confirm({
      message: `Found saved settings in ${input.settingsPath}. Load them and go to the summary?`,
      default: true,
    }))
  )
    return null;
  try {
    const loaded = loadSettings(input.settingsPath);
    for (const note of loaded.notes) ctx.say(`  Note: ${note}`);
    return loaded.settings;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    ctx.say(`  Cannot use them: ${error.message}`);
    ctx.say('  Starting from the defaults instead (saving will replace that file).');
    return null;
  }
}

/** Why these settings cannot run, in words, or null: the checks a command-line run would fail on. */
export function notReady(d: Draft): string | null {
  const s = d.settings;
  const values = validateValues({ ...DEFAULT_OPTIONS, ...s });
  if (!values.ok) return values.message;
  if (s.sourceType === 'local') {
    if (s.source === null || s.output === null) return 'choose the photo folder and the output folder (edit Source)';
  } else {
    if (s.immichUrl === null) return 'choose the Immich server (edit Source)';
    if (d.apiKey === null) return 'no API key (edit Source)';
    if (!s.tagOnly && s.output === null && !hasServerActions(s))
      return 'choose an Immich action or a folder to download into (edit Actions)';
  }
  const checked = validateOptions({ ...DEFAULT_OPTIONS, ...s });
  return checked.ok ? null : checked.message;
}
