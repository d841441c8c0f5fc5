/**
 * The command line: seed-compatible flags with the same names and defaults. Values are parsed
 * leniently here and validated in one place (pipeline/options.ts) so every bad value gets the
 * same kind of one-line message.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { HELP_SECTIONS, type HelpSection, OPTION_KEYS, type OptionKey, optionRow } from '../pipeline/options.js';
import { ALIAS } from './command-name.js';
import { reviewCommand } from './review.js';
import { SETTINGS_FILE } from './settings.js';

/** The examples closing --help, in the command as the user typed it. */
function examples(name: string): string {
  return `
Examples:
  Organize a folder (bursts, duplicates, similar shots) into ~/Organized:
    $ ${name} -s ~/Photos -o ~/Organized

  See what would happen, changing nothing:
    $ ${name} -s ~/Photos -o ~/Organized --dry-run

  Find duplicates across the whole library, whatever their dates:
    $ ${name} -s ~/Photos -o ~/Organized -t 3 --time-window 0

  Looser grouping of similar compositions within 30 minutes:
    $ ${name} -s ~/Photos -o ~/Organized -t 8 --time-window 1800

  Continue a run that was interrupted:
    $ ${name} -o ~/Organized --resume

  Review the groups in your browser, fix the picks, apply (see: ${name} help review):
    $ ${name} review -o ~/Organized --open

  Tag bursts and duplicates in an Immich library (key from the environment), then take it back:
    $ export IMMICH_API_KEY=...
    $ ${name} --source-type immich --immich-url https://photos.example.com --tag-only --dry-run
    $ ${name} --source-type immich --immich-url https://photos.example.com --tag-only --stack
    $ ${name} --source-type immich --immich-url https://photos.example.com --undo

  Set up step by step (and save the settings), then run them again later without questions:
    $ ${name} -i
    $ ${name} -r

Threshold guide (-t): 0-3 duplicates only, 4-6 bursts (default 5), 7-10 similar scenes, 11+ very loose.
`;
}

/** Integers as typed; anything else becomes NaN and is reported by validation with the flag's name. */
const integer = (value: string): number => (/^\s*-?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : Number.NaN);
const decimal = (value: string): number => (/^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number.parseFloat(value) : Number.NaN);

const heading = (section: HelpSection): string => `${HELP_SECTIONS[section]}:`;

/** The commander declaration of one row of the options table. */
function declare(key: OptionKey): Option {
  const row = optionRow(key);
  const option = new Option(row.flags, row.help).helpGroup(heading(row.section));
  if (row.parse === 'integer') option.argParser(integer);
  if (row.parse === 'decimal') option.argParser(decimal);
  // Off switches, empty lists and "not set" need no "(default: …)" in --help; main() fills them in.
  const shown = row.default !== null && row.default !== false && !Array.isArray(row.default) && !row.flags.startsWith('--no-');
  if (shown) option.default(row.default, row.defaultText);
  return option;
}

/** This package's version, from its package.json (next to src/ and dist/ alike). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return z.object({ version: z.string() }).parse(JSON.parse(text)).version;
}

/** The program; `name` is the command as the user typed it (see command-name.ts), used in help. */
export function buildProgram(name: string = ALIAS): Command {
  const program = new Command(name)
    .description('Find bursts, duplicates and similar shots in a photo library, pick the best of each group, and organize them.')
    .usage('-s PHOTOS -o ORGANIZED [options]   (or: review, help [command])');
  // --help lists the sections in HELP_SECTIONS order (commander orders groups by first option).
  const order = Object.keys(HELP_SECTIONS);
  const keys = [...OPTION_KEYS].sort((a, b) => order.indexOf(optionRow(a).section) - order.indexOf(optionRow(b).section));
  for (const key of keys) {
    program.addOption(declare(key));
    if (key === 'swapClosedEyes') {
      program.addOption(
        new Option('--swap-closed-eyes', 'swap closed eyes with --enable-face-swap (the default)').helpGroup(heading('best')),
      );
    }
    // The key is no run option (it is never stored), but it belongs next to the server address.
    if (key === 'immichUrl') {
      program.addOption(
        new Option('--immich-api-key <key>', 'Immich API key; better set IMMICH_API_KEY, which stays out of shell history')
          .env('IMMICH_API_KEY')
          .helpGroup(heading('immich')),
      );
    }
  }
  // The seed's name of --watch, accepted and not listed (main() reads it as --watch).
  program.addOption(new Option('--daemon').hideHelp());
  program
    .addOption(
      new Option('-i, --interactive', 'guided setup: questions with defaults (Enter keeps them), a summary, save, run').helpGroup(
        heading('run'),
      ),
    )
    .addOption(
      new Option(
        '-r, --run-settings [file]',
        `run saved settings without questions (default file: ${SETTINGS_FILE}); flags given too override them`,
      ).helpGroup(heading('run')),
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .addHelpText('after', examples(name))
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    // `review` takes its own -o and --state-file: options after a subcommand's name are its own.
    .enablePositionalOptions()
    .commandsGroup('Commands:')
    .addCommand(reviewCommand())
    .helpCommand('help [command]', 'show the help of a command (or this one)')
    // A run needs no subcommand (main() runs it); without an action commander would print help.
    .action(() => undefined);
  // --version and --help are about the command itself: listed under Run, after the run flags.
  program.options.find((o) => o.long === '--version')?.helpGroup(heading('run'));
  program.addHelpOption(new Option('-h, --help', 'show this help (help review: the review command)').helpGroup(heading('run')));
  return program;
}

/** The options the user typed (not defaults), as RunOptions keys. */
export function explicitKeys(program: Command): Set<string> {
  const keys = new Set<string>();
  for (const key of Object.keys(program.opts())) {
    const origin = program.getOptionValueSource(key);
    if (origin === 'cli' || origin === 'env') keys.add(key);
  }
  return keys;
}
