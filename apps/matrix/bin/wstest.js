#!/usr/bin/env node
// Autobahn's wstest as a drop-in: `wstest -m fuzzingclient -s spec.json` is `wsmatrix wstest …`.
import { launch } from './launch.js';

await launch('wstest', ['wstest', ...process.argv.slice(2)]);
