import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Command, Option } from 'commander';

/**
 * Shell completion. The scripts `doccat completion SHELL` prints hand every word typed so far to
 * the hidden `doccat __complete SHELL WORDS...`, which walks the same commander program the CLI
 * runs (so commands and options never drift from the scripts) and prints one candidate a line.
 * Values that depend on the catalogue or the config (types, tags, backends, providers,
 * environments) are read read-only; anything that goes wrong there yields no values, never an
 * error, since a shell prints whatever a completion writes.
 */

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

export interface Candidate {
  value: string;
  description?: string;
}

/** What to offer for the last word: these candidates, or the shell's own file names. */
export interface Completion {
  candidates: Candidate[];
  files: boolean;
}

/** Options whose value is a file or folder: the shell completes those itself. */
const PATH_OPTIONS = new Set(['--config', '--catalog', '--log-file', '--output', '--archive', '--failed', '--include', '--exclude']);

type ValueSource = 'types' | 'tags' | 'backends' | 'providers' | 'environments' | 'correspondents';

function valueSource(option: Option, command: Command): ValueSource | undefined {
  const inStorage = command.parent?.name() === 'storage';
  switch (option.long) {
    case '--type':
      return 'types';
    case '--tag':
      return 'tags';
    case '--correspondent':
      return 'correspondents';
    case '--provider':
      // init's --provider is a provider type to set up, not a configured one.
      return command.name() === 'init' ? undefined : 'providers';
    case '--env':
      return 'environments';
    case '--to':
    case '--from':
      return inStorage ? 'backends' : undefined;
    default:
      return undefined;
  }
}

function findOption(command: Command, word: string): { option: Option; owner: Command } | undefined {
  for (let current: Command | null = command; current; current = current.parent) {
    const option = current.options.find((candidate) => candidate.long === word || candidate.short === word);
    if (option) return { option, owner: current };
  }
  return undefined;
}

function visibleCommands(command: Command): Command[] {
  // `_hidden` is commander's own flag for .command(name, { hidden: true }); it has no getter.
  return command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden);
}

/**
 * Works out what the last of `words` (the words after `doccat`, the last one being typed, maybe
 * empty) can be. `values` supplies catalogue and config values when an option wants them.
 */
export async function complete(program: Command, words: string[], values: (source: ValueSource, words: string[]) => Promise<string[]>): Promise<Completion> {
  const current = words.at(-1) ?? '';
  let command = program;
  let wanting: { option: Option; owner: Command } | undefined;
  let onlyArguments = false;
  for (const word of words.slice(0, -1)) {
    if (wanting) {
      wanting = undefined;
      continue;
    }
    if (!onlyArguments && word === '--') {
      onlyArguments = true;
      continue;
    }
    if (!onlyArguments && word.startsWith('-') && word.length > 1) {
      if (word.includes('=')) continue;
      const found = findOption(command, word);
      // Only a mandatory value (<x>) takes the next word; an optional one ([ms]) must be attached.
      if (found?.option.required) wanting = found;
      continue;
    }
    const sub = command.commands.find((candidate) => candidate.name() === word || candidate.aliases().includes(word));
    if (sub && command.commands.length > 0) command = sub;
  }
  const within = (candidates: Candidate[]): Completion => ({ candidates: candidates.filter((candidate) => candidate.value.startsWith(current)), files: false });

  if (wanting) {
    const { option } = wanting;
    if (option.argChoices) return within(option.argChoices.map((value) => ({ value })));
    if (option.long && PATH_OPTIONS.has(option.long)) return { candidates: [], files: true };
    const source = valueSource(option, command);
    if (!source) return { candidates: [], files: false };
    return within([...new Set(await values(source, words))].sort().map((value) => ({ value })));
  }
  if (current.startsWith('-') && !onlyArguments) {
    const options: Candidate[] = [];
    for (let owner: Command | null = command; owner; owner = owner.parent) {
      for (const option of owner.options) {
        if (option.hidden || !option.long || (owner !== command && option.long === '--version')) continue;
        options.push({ value: option.long, description: option.description });
      }
    }
    options.push({ value: '--help', description: 'display help' });
    return within(options);
  }
  const subcommands = visibleCommands(command);
  // commander adds `help` to a command with subcommands without listing it among them.
  if (subcommands.length > 0) return within([...subcommands.map((sub) => ({ value: sub.name(), description: sub.description() })), { value: 'help', description: 'display help for a command' }]);
  if (command.name() === 'completion') return within(SHELLS.map((value) => ({ value })));
  // search and list: field:value filters for the values doccat knows.
  if (['search', 'list', 'reclassify'].includes(command.name()) && /^(type|tag):/.test(current)) {
    const [field] = current.split(':') as [string];
    const found = await values(field === 'type' ? 'types' : 'tags', words);
    return within([...new Set(found)].sort().map((value) => ({ value: `${field}:${value.includes(' ') ? `"${value}"` : value}` })));
  }
  const takesPaths = command.registeredArguments.some((argument) => /path|dir/.test(argument.name()));
  return { candidates: [], files: takesPaths };
}

/** The value of a global option among the words typed (--config FILE, --config=FILE, -c FILE). */
function typedOption(words: string[], long: string, short?: string): string | undefined {
  for (let index = 0; index < words.length - 1; index += 1) {
    const word = words[index] as string;
    if (word.startsWith(`${long}=`)) return word.slice(long.length + 1);
    if ((word === long || (short && word === short)) && index + 1 < words.length - 1) return words[index + 1];
  }
  return undefined;
}

/** Catalogue and config values for completion: read-only, and empty on any problem. */
export async function completionValues(source: ValueSource, words: string[]): Promise<string[]> {
  try {
    const { loadConfig } = await import('../config/load.js');
    const configPath = typedOption(words, '--config', '-c');
    const catalogDir = typedOption(words, '--catalog');
    const environment = source === 'environments' ? undefined : typedOption(words, '--env', '-e');
    const loaded = await loadConfig({ ...(configPath ? { configPath } : {}), ...(catalogDir ? { catalogDir } : {}), ...(environment ? { environment } : {}) });
    const { config } = loaded;
    switch (source) {
      case 'environments':
        return Object.keys((loaded.fileConfig as { environments?: Record<string, unknown> } | undefined)?.environments ?? {});
      case 'backends':
        return ['local', ...Object.keys(config.storage.backends)];
      case 'providers':
        return config.ai.providers.map((provider) => provider.name);
      case 'types': {
        const { DEFAULT_TYPES } = await import('../classify/taxonomy.js');
        return [...DEFAULT_TYPES.map((rule) => rule.name), ...config.classify.types.map((rule) => rule.name), ...catalogueValues(loaded.databasePath, config.database.url, 'SELECT DISTINCT type AS value FROM documents')];
      }
      case 'tags':
        return [...config.classify.tags.map((rule) => rule.tag), ...catalogueValues(loaded.databasePath, config.database.url, 'SELECT DISTINCT tag AS value FROM document_tags')];
      case 'correspondents':
        return catalogueValues(loaded.databasePath, config.database.url, 'SELECT DISTINCT correspondent AS value FROM documents WHERE correspondent IS NOT NULL LIMIT 500');
    }
  } catch {
    return [];
  }
}

/**
 * Values from a SQLite catalogue, opened read-only and directly (no migrations, no query
 * builder): a completion must answer while the user waits. A Postgres catalogue is not asked:
 * a network round trip (or a password prompt from cmd:) is too slow and too surprising here.
 */
function catalogueValues(databasePath: string, url: string | undefined, query: string): string[] {
  if (url || !fs.existsSync(databasePath)) return [];
  try {
    const require = createRequire(import.meta.url);
    const Database = require('better-sqlite3') as new (file: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => { prepare(sql: string): { all(): { value: string }[] }; close(): void };
    const db = new Database(databasePath, { readonly: true, fileMustExist: true, timeout: 200 });
    try {
      return db.prepare(query).all().map((row) => row.value).filter((value) => typeof value === 'string' && value !== '');
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/** `doccat __complete SHELL WORDS...`: candidates one a line (fish: value, tab, description). */
export async function printCompletions(program: Command, shell: string, words: string[]): Promise<void> {
  const result = await complete(program, words.length > 0 ? words : [''], completionValues);
  const lines = result.candidates.map((candidate) => (shell === 'fish' && candidate.description ? `${candidate.value}\t${candidate.description.split('\n')[0]}` : candidate.value));
  // A marker line the scripts turn into the shell's own file completion.
  if (result.files) lines.push('__doccat_files__');
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# doccat completion for bash: add to ~/.bashrc
#   eval "$(doccat completion bash)"
_doccat_complete() {
  local line prefix cur typed=\${COMP_LINE:0:COMP_POINT}
  local -a words found
  COMPREPLY=()
  # The words as typed: bash splits tag:value at the colon (COMP_WORDBREAKS), doccat does not.
  read -r -a words <<< "$typed"
  [[ -z $typed || $typed =~ [[:space:]]$ ]] && words+=("")
  cur=\${words[\${#words[@]}-1]}
  # bash replaces only what follows the last colon of the word.
  prefix=""
  [[ $cur == *:* && \${COMP_WORDBREAKS-:} == *:* ]] && prefix=\${cur%"\${cur##*:}"}
  local IFS=$'\\n'
  found=($(doccat __complete bash "\${words[@]:1}" 2>/dev/null))
  for line in "\${found[@]}"; do
    if [[ $line == __doccat_files__ ]]; then
      compopt -o default 2>/dev/null
    else
      COMPREPLY+=("\${line#"$prefix"}")
    fi
  done
}
complete -F _doccat_complete doccat
`;
    case 'zsh':
      return `#compdef doccat
# doccat completion for zsh: add to ~/.zshrc (after compinit)
#   eval "$(doccat completion zsh)"
_doccat() {
  local -a found values
  local line
  found=("\${(@f)$(doccat __complete zsh "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${found[@]}"; do
    if [[ $line == __doccat_files__ ]]; then
      _files
    elif [[ -n $line ]]; then
      values+=("$line")
    fi
  done
  (( \${#values} )) && compadd -Q -- "\${values[@]}"
  return 0
}
compdef _doccat doccat
`;
    case 'fish':
      return `# doccat completion for fish: save as ~/.config/fish/completions/doccat.fish
#   doccat completion fish > ~/.config/fish/completions/doccat.fish
function __doccat_complete
    set -l words (commandline -opc) (commandline -ct)
    for line in (doccat __complete fish $words[2..-1] 2>/dev/null)
        if test "$line" = __doccat_files__
            __fish_complete_path (commandline -ct)
        else
            echo $line
        end
    end
end
complete -c doccat -f -a '(__doccat_complete)'
`;
  }
}
