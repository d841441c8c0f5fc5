/**
 * What every section of the setup shares: the answers so far (a Draft), the means to ask and to
 * print, and the field helpers that validate answers with the run options' own schema, so a bad
 * answer reads exactly like a bad flag ("Expected an integer between 0 and 64 for --threshold…").
 */
import { resolve } from 'node:path';
import type { ServerCheck, ServerCheckInput } from '../../sources/immich-check.js';
import { optionFieldSchemas } from '../../pipeline/options.js';
import { expandHome, type SettingKey, type Settings } from '../settings.js';
import type { Prompter } from './prompter.js';

/** Where the API key came from; it is never saved, whichever. */
export type KeyOrigin = 'environment' | 'command line' | 'typed';

export interface Draft {
  readonly settings: Settings;
  readonly apiKey: string | null;
  readonly keyOrigin: KeyOrigin | null;
  /** The last connection check, for the summary. */
  readonly server: ServerCheck | null;
}

export interface SetupContext {
  readonly prompt: Prompter;
  /** Prints one line (or an empty one) between questions. */
  readonly say: (line?: string) => void;
  readonly checkServer: (input: ServerCheckInput) => Promise<ServerCheck>;
  /** Fires on Ctrl+C outside a question (during the connection check). */
  readonly signal: AbortSignal;
  /** Where relative paths are taken from and the settings file lives. */
  readonly cwd: string;
}

export type Section = (draft: Draft, ctx: SetupContext) => Promise<Draft>;

export function withSettings(draft: Draft, changes: Partial<Settings>): Draft {
  return { ...draft, settings: { ...draft.settings, ...changes } };
}

type IntegerKey = { [K in SettingKey]: Settings[K] extends number ? K : never }[SettingKey];

/** Asks for a whole number, checked by the option's schema (range and message included). */
export async function askInteger(ctx: SetupContext, key: IntegerKey, message: string, current: number): Promise<number> {
  const schema = optionFieldSchemas[key];
  const toNumber = (text: string): number => (/^\s*-?\d+\s*$/.test(text) ? Number.parseInt(text, 10) : Number.NaN);
  const answer = await ctx.prompt.text({
    message,
    default: String(current),
    validate: (text) => {
      const parsed = schema.safeParse(toNumber(text));
      return parsed.success ? true : parsed.error.issues[0]!.message.replace('something that is not a number', `"${text}"`);
    },
  });
  return toNumber(answer);
}

/** Asks for text that may be left blank (null); Backspace on the empty line drops the default. */
export async function askOptional(ctx: SetupContext, message: string, current: string | null, validate?: Check): Promise<string | null> {
  const hint = current === null ? '(blank for none)' : '(Backspace then Enter for none)';
  const answer = await ctx.prompt.text({
    message: `${message} ${hint}`,
    ...(current !== null ? { default: current } : {}),
    ...(validate ? { validate: (v: string) => (v.trim() === '' ? true : validate(v.trim())) } : {}),
  });
  return answer.trim() === '' ? null : answer.trim();
}

type Check = (value: string) => true | string;

/** A typed path made absolute: `~` expanded, relative to where the setup runs. */
export function absolutePath(ctx: Pick<SetupContext, 'cwd'>, typed: string): string {
  return resolve(ctx.cwd, expandHome(typed.trim()));
}

/** On / off for the summary. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
