#!/usr/bin/env node
import { launch } from './launch.js';

await launch('wsmatrix', process.argv.slice(2));
