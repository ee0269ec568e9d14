#!/usr/bin/env node
/// <reference types="node" />
// The `backprop` command (package.json "bin"). See run.ts for the commands.
import { run } from './run.js';
import { consoleOut } from './progress.js';

process.exitCode = await run(process.argv.slice(2), consoleOut);
