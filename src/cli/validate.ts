import type { Command } from 'commander';

// Placeholder until the validator lands (same session).
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check policy files against the schemas and each other')
    .action(() => {
      console.log('validate: not implemented yet');
    });
}
