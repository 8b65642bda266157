#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a dev dependency of the root package).
require('tsx/cjs');
require('../src/main.ts');
