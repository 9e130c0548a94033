import { defineCommand } from '../command-definition.js';
import type { Shell } from '../completion.js';

export const completionDefinition = defineCommand<[shell: Shell], object>({
  name: 'completion',
  group: 'Operations:',
  description: 'print a shell completion script: commands, options, and types, tags, backends, providers and environments from the catalogue and config',
  arguments: [{ name: '<shell>', description: 'bash, zsh or fish', choices: ['bash', 'zsh', 'fish'] }],
  help: `
Install:
  bash  echo 'eval "$(doccat completion bash)"' >> ~/.bashrc
  zsh   echo 'eval "$(doccat completion zsh)"' >> ~/.zshrc      (after compinit)
  fish  doccat completion fish > ~/.config/fish/completions/doccat.fish`,
  run: async (shell) => {
    const { completionScript } = await import('../completion.js');
    process.stdout.write(completionScript(shell));
    return 0;
  },
});
