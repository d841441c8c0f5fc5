/**
 * A text question for paths where Tab completes the typed path (see path-completion.ts) instead of
 * inserting spaces, built like @inquirer/input: Enter keeps the default, Tab on an empty line
 * takes it up for editing, a refused answer stays on the line with the reason below.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPrompt, isBackspaceKey, isEnterKey, isTabKey, makeTheme, useKeypress, usePrefix, useState } from '@inquirer/core';
import { expandHome } from '../settings.js';
import { completePath, type DirEntry } from './path-completion.js';

export interface PathPromptConfig {
  readonly message: string;
  readonly default?: string;
  readonly validate?: (value: string) => true | string;
  /** Where relative paths are completed from. */
  readonly cwd: string;
}

function listDir(dir: string): readonly DirEntry[] | null {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  } catch {
    // An unreadable or missing folder has nothing to offer: Tab does nothing, as in a shell.
    return null;
  }
}

export const pathPrompt = createPrompt<string, PathPromptConfig>((config, done) => {
  const theme = makeTheme({});
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const [defaultValue, setDefaultValue] = useState<string | undefined>(config.default);
  const [error, setError] = useState<string | undefined>(undefined);
  const [value, setValue] = useState('');
  const prefix = usePrefix({ status, theme });

  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const answer = value || defaultValue || '';
      const verdict = config.validate?.(answer) ?? true;
      if (verdict === true) {
        setValue(answer);
        setStatus('done');
        done(answer);
      } else {
        // readline cleared its line on Enter: put the answer back to be fixed.
        rl.write(value);
        setError(verdict);
      }
    } else if (isTabKey(key)) {
      // readline has inserted the tab: complete the line without it.
      const typed = rl.line.replace(/\t/g, '');
      const completed =
        typed === '' && defaultValue !== undefined
          ? defaultValue
          : completePath(typed, (dir) => resolve(config.cwd, expandHome(dir)), listDir);
      if (typed === '') setDefaultValue(undefined);
      rl.clearLine(0);
      rl.write(completed);
      setValue(completed);
    } else if (isBackspaceKey(key) && value === '') {
      setDefaultValue(undefined);
    } else {
      setValue(rl.line);
      setError(undefined);
    }
  });

  const shown = status === 'done' ? theme.style.answer(value) : value;
  const hint = defaultValue !== undefined && status !== 'done' && value === '' ? theme.style.defaultAnswer(defaultValue) : undefined;
  const line = [prefix, theme.style.message(config.message, status), hint, shown].filter((p) => p !== undefined).join(' ');
  return [line, error === undefined ? '' : theme.style.error(error)];
});
