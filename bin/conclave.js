#!/usr/bin/env node
// The `conclave` command: registers tsx's loader (Conclave runs from its TypeScript sources)
// and hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
