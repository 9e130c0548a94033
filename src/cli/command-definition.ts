import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import { addFilterOptions } from './filters.js';

/**
 * What a command is, declared beside it (src/cli/commands/<name>.definition.ts): its name, help,
 * arguments, options and the action, which imports the command's code only when it runs (so that
 * `doccat search` loads no other command). program.ts registers the definitions; this module
 * turns one into a commander command.
 */

/** The sections of `doccat --help`, in this order. */
export const HELP_GROUPS = ['Catalogue:', 'Find:', 'Change:', 'Storage & database:', 'Operations:'] as const;
export type HelpGroup = (typeof HELP_GROUPS)[number];

export interface ArgumentDefinition {
  /** `<name>`, `[name]`, `<name...>` or `[name...]`, as commander writes them. */
  name: string;
  description: string;
  choices?: readonly string[];
}

/** `dryRun` -> `dry-run`: the long flag commander reads into an options key. */
type Kebab<Key extends string> = Key extends `${infer Head}${infer Tail}` ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${Kebab<Tail>}` : Key;

/**
 * Flags that commander stores under one of `Key`: `--dry-run`, `--no-ocr`, `-j, --jobs <n>`,
 * `--poll [ms]`. A definition whose flag is not a key of its options type does not compile.
 */
export type OptionFlags<Key extends string> = `${'' | `-${string}, `}--${'' | 'no-'}${Kebab<Key>}${'' | ` ${string}`}`;

/** The keys of an options type; any key for the registry's `object`, where the types are erased. */
type OptionKey<Options extends object> = [keyof Options] extends [never] ? string : keyof Options & string;

export interface OptionDefinition<Key extends string = string> {
  flags: OptionFlags<Key>;
  description: string;
  /** Parses the value given (throwing commander's InvalidArgumentError when it is not one). */
  parse?: (value: string) => unknown;
  /** The option can be given again: its value is the list of every value, in order. */
  repeatable?: boolean;
  defaultValue?: string | number | boolean | string[];
  choices?: readonly string[];
  required?: boolean;
}

interface Described {
  name: string;
  description: string;
  /** Top-level commands only: the `doccat --help` section listing it. */
  group?: HelpGroup;
}

/**
 * A command that runs. `Args` are its arguments as commander parses them, `Options` its options
 * (declared once, as an interface in the command's module); `run` receives both typed.
 */
export interface CommandDefinition<Args extends unknown[] = unknown[], Options extends object = object> extends Described {
  alias?: string;
  arguments?: readonly ArgumentDefinition[];
  options?: readonly OptionDefinition<OptionKey<Options>>[];
  /** The query language's filters as flags (filters.ts), after `options`: with pages of results or without. */
  filters?: 'paged' | 'unpaged';
  /** tag takes -tag words, which are not options. */
  allowUnknownOption?: boolean;
  /** Printed after the generated help: examples, output, exit codes. */
  help?: string;
  /**
   * Imports the command's module and runs it; resolves to the exit code. (Method syntax on
   * purpose: it lets a definition with typed options stand in the registry's list of any.)
   */
  run(...args: [...Args, Options, Command]): Promise<number>;
}

/** A command that only holds subcommands (storage, config, queue, db). */
export interface CommandGroupDefinition extends Described {
  subcommands: readonly CommandDefinition[];
}

export type AnyCommandDefinition = CommandDefinition | CommandGroupDefinition;

/** Types a definition's `run` by its arguments and options; the result goes in the registry. */
export function defineCommand<Args extends unknown[], Options extends object>(definition: CommandDefinition<Args, Options>): CommandDefinition {
  return definition;
}

/** Adds the command a definition describes to `parent`; the exit code of its run goes to `report`. */
export function registerCommand(parent: Command, definition: AnyCommandDefinition, report: (exitCode: number) => void): Command {
  const command = parent.command(definition.name);
  if ('subcommands' in definition) {
    command.description(definition.description);
    for (const subcommand of definition.subcommands) registerCommand(command, subcommand, report);
    return command;
  }
  if (definition.alias) command.alias(definition.alias);
  command.description(definition.description);
  for (const { name, description, choices } of definition.arguments ?? []) {
    const argument = new Argument(name, description);
    command.addArgument(choices ? argument.choices(choices) : argument);
  }
  for (const { flags, description, parse, repeatable, defaultValue, choices, required } of definition.options ?? []) {
    const option = new Option(flags, description);
    if (required) option.makeOptionMandatory();
    if (defaultValue !== undefined) option.default(defaultValue);
    if (parse) option.argParser((value: string) => parse(value));
    if (repeatable) option.argParser(collect);
    command.addOption(choices ? option.choices(choices) : option);
  }
  if (definition.filters) addFilterOptions(command, definition.filters === 'paged');
  if (definition.allowUnknownOption) command.allowUnknownOption();
  if (definition.help) command.addHelpText('after', definition.help);
  // Commander calls an action with its parsed arguments, options and command, all untyped; it
  // calls it on the command, which holds the same (as commander does: one per declared argument).
  command.action(async function (this: Command) {
    report(await definition.run(...this.processedArgs.slice(0, this.registeredArguments.length), this.opts(), this));
  });
  return command;
}

/** The value parser of repeatable options: every value given, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    // commander turns this into a usage error with exit code 2 in main.ts.
    throw new InvalidArgumentError('must be a whole number of 1 or more');
  }
  return number;
}

/** ingest, watch and worker choose the OCR engine the same way. */
export const OCR_ENGINE_OPTION: OptionDefinition<'ocrEngine'> = {
  flags: '--ocr-engine <engine>',
  description: 'OCR engine: auto (installed tesseract if it has the languages, else tesseract.js), tesseract or tesseract.js (default: ocr.engine)',
  choices: ['auto', 'tesseract', 'tesseract.js'],
};
