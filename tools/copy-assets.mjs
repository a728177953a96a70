#!/usr/bin/env node
// Copies the non-TypeScript files a package loads at run time (JSON schemas, templates) from src/ to dist/,
// keeping their relative paths, since tsc emits only what it compiles. Test data (`test-fixtures/`, `fixtures/`)
// never ships: the packages' tsconfig.build.json excludes the same folders from compilation.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';

const [src = 'src', out = 'dist'] = process.argv.slice(2);
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'test-fixtures' && name !== 'fixtures') walk(path);
    }
    else if (/\.(json|md|html|css)$/.test(name) && !name.endsWith('.test.json')) {
      const target = join(out, relative(src, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
})(src);
