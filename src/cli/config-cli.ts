import type { Command } from 'commander';
import { badFlagsExitTwo } from './exit-codes.ts';
import type { ConfigShowOptions, ConfigTargetOptions } from './config-command.ts';

/** The commands' code, loaded when one of them runs (not for --help or a bad flag). */
const commands = () => import('./config-command.ts');

/**
 * Adds `conclave config get | set | merge | show` to the command line.
 *
 * @example
 * ```ts
 * registerConfigCommand(program);
 * ```
 */
export function registerConfigCommand(program: Command): void {
  const config = program
    .command('config')
    .description(
      'Read and write the configuration a run starts from: the project file ./conclave.config.yml and the user file $CONCLAVE_HOME/config.yml (default ~/.conclave/config.yml). conclave run reads the user file, then the project file, then each --config file, then the scenario on top. Keys are dotted paths (consensus.raft.election_timeout_min); a key the runtime does not know is refused (exit 2) with the nearest known one, and the file is not written.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  conclave config set consensus.default_algorithm byzantine_tolerant\n  conclave config set consensus.raft.election_timeout_min 1000     (a bare number is milliseconds)\n  conclave config get consensus.default_algorithm\n  conclave config merge ~/.maos/consensus-config.yml\n  conclave config show --resolved --config team.yml examples/db-choice.yml',
    );
  config
    .command('set')
    .description('set KEY to VALUE (read as YAML: true/false, numbers, strings) in the project file (--user: the user file)')
    .argument('<key>')
    .argument('<value>')
    .option('--user', 'write the user file')
    .action(async (key: string, value: string, o: ConfigTargetOptions) => {
      process.exitCode = (await commands()).configSetCommand(key, value, o, (l) => console.log(l));
    });
  config
    .command('get')
    .description('print the value of KEY from the user and project files (--user: the user file only); exit 1 when unset')
    .argument('<key>')
    .option('--user', 'read the user file only')
    .action(async (key: string, o: ConfigTargetOptions) => {
      process.exitCode = (await commands()).configGetCommand(key, o, (l) => console.log(l));
    });
  config
    .command('merge')
    .description('merge FILE deeply into the project file (--user: the user file): mappings merge, lists and values from FILE replace')
    .argument('<file>')
    .option('--user', 'write the user file')
    .action(async (file: string, o: ConfigTargetOptions) => {
      process.exitCode = (await commands()).configMergeCommand(file, o, (l) => console.log(l));
    });
  config
    .command('show')
    .description(
      'print the project file (--user: the user file); --resolved: every consensus setting a run of SCENARIO (default: the built-in one) will use, with its source (default, user file, project file, --config file, scenario), and what it will name as not used',
    )
    .argument('[scenario]')
    .option('--user', 'the user file')
    .option('--resolved', 'what a run will use, with sources')
    .option('--config <file>', 'a --config file as conclave run takes it (repeat it)', (v: string, p: string[] | undefined) => [...(p ?? []), v])
    .option('--json', 'print the resolved settings as one JSON object')
    .action(async (scenario: string | undefined, o: ConfigShowOptions) => {
      process.exitCode = await (await commands()).configShowCommand(scenario, o, (l) => console.log(l));
    });
  // Bad flags and missing arguments exit 2 (bad input), not commander's 1: `config get` exits 1 when a key is unset.
  for (const c of [config, ...config.commands]) badFlagsExitTwo(c);
}
