/**
 * Flags that would be silently ignored or reinterpreted are refused with one line instead: an
 * Immich flag on a folder run, the seed's local --tag-only (its users took it for "write
 * nothing"). Pure: raw options and the flags the user typed in, a message or null out.
 */
import { FLAG_NAMES, OPTION_KEYS, type OptionKey, optionRow } from '../pipeline/options.js';

/**
 * The refusal for these raw options (after -i / -r, `hybrid` already read as immich), given the
 * option keys typed on the command line and whether an API key was typed there; null when none.
 */
export function refusal(raw: Readonly<Record<string, unknown>>, typed: ReadonlySet<string>, apiKeyTyped: boolean): string | null {
  if (raw.sourceType !== 'local') return null;
  if (raw.undo === true) return '--undo takes back changes made on an Immich server: use it with --source-type immich';
  if (raw.tagOnly === true) {
    return (
      '--tag-only tags groups on an Immich server; a folder run has nothing to tag. ' +
      'To see the groups without writing anything, use --dry-run (or give --source-type immich to tag in Immich)'
    );
  }
  const immichOnly: string[] = OPTION_KEYS.filter((k: OptionKey) => typed.has(k) && optionRow(k).section === 'immich').map(
    (k) => FLAG_NAMES[k],
  );
  if (apiKeyTyped) immichOnly.push('--immich-api-key');
  if (immichOnly.length === 0) return null;
  const list = immichOnly.join(', ');
  const them = immichOnly.length === 1 ? 'it' : 'them';
  return `${list} ${immichOnly.length === 1 ? 'is' : 'are'} for Immich runs, and this is a folder run (--source-type local): drop ${them}, or add --source-type immich`;
}
