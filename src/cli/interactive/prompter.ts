/**
 * The questions the setup asks, as a small interface: the real one draws them with
 * @inquirer/prompts on the terminal, tests answer them from a script. Every question has a
 * default that Enter keeps.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import { pathPrompt } from './path-prompt.js';

export interface Choice<T> {
  readonly value: T;
  readonly name: string;
  /** Shown under the list while this choice is highlighted. */
  readonly description?: string;
  /** Shown greyed out with this reason, not selectable (keeps the numbering of a fixed list). */
  readonly disabled?: string;
}

/** A check on a typed answer: true, or what is wrong with it. */
export type Check = (value: string) => true | string;

export interface Prompter {
  /** Free text; Enter keeps `default`. With `pathsFrom` (a folder), Tab completes a path typed relative to it. */
  text(q: { readonly message: string; readonly default?: string; readonly validate?: Check; readonly pathsFrom?: string }): Promise<string>;
  /** Hidden text (masked with *), never echoed nor kept in the screen's scrollback. */
  secret(q: { readonly message: string; readonly validate?: Check }): Promise<string>;
  confirm(q: { readonly message: string; readonly default: boolean }): Promise<boolean>;
  choose<T>(q: { readonly message: string; readonly choices: readonly Choice<T>[]; readonly default?: T }): Promise<T>;
}

export interface TerminalStreams {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Aborting it ends the question being asked (with an error isPromptCancel recognizes). */
  readonly signal: AbortSignal;
}

/** The prompter that asks on a terminal. */
export function terminalPrompter(streams: TerminalStreams): Prompter {
  const context = { input: streams.input, output: streams.output, signal: streams.signal };
  return {
    text: (q) => {
      const common = {
        message: q.message,
        ...(q.default !== undefined ? { default: q.default } : {}),
        ...(q.validate ? { validate: q.validate } : {}),
      };
      return q.pathsFrom === undefined ? input(common, context) : pathPrompt({ ...common, cwd: q.pathsFrom }, context);
    },
    secret: (q) =>
      password({ message: q.message, mask: '*', ...(q.validate ? { validate: q.validate } : {}) }, { ...context, clearPromptOnDone: true }),
    confirm: (q) => confirm({ message: q.message, default: q.default }, context),
    choose: <T>(q: { readonly message: string; readonly choices: readonly Choice<T>[]; readonly default?: T }) =>
      select<T>(
        {
          message: q.message,
          choices: q.choices.map((c) => ({
            value: c.value,
            name: c.name,
            ...(c.description !== undefined ? { description: c.description } : {}),
            ...(c.disabled !== undefined ? { disabled: c.disabled } : {}),
          })),
          ...(q.default !== undefined ? { default: q.default } : {}),
          pageSize: 10,
          // Numbers shown, so a choice can be typed as well as picked with the arrows.
          theme: { indexMode: 'number' },
        },
        context,
      ),
  };
}

/**
 * Whether an error means "the person quit": Ctrl+C at a question (inquirer's ExitPromptError),
 * or our own abort signal fired (AbortPromptError). Recognized by name: @inquirer/prompts does
 * not re-export the classes.
 */
export function isPromptCancel(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}
