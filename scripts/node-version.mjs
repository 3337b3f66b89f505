// The project runs on the Node it brings (the `node` devDependency, first on PATH inside npm
// scripts and npx). Started with another Node by hand, say how to run it instead of failing later.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function requireNode() {
  const wanted = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies.node;
  const major = (v) =>
    Number(
      String(v)
        .replace(/^[^\d]*/, '')
        .split('.')[0],
    );
  if (major(process.versions.node) === major(wanted)) return;
  console.error(
    `SMS Desk runs on Node ${major(wanted)} (this is Node ${process.versions.node}). Run it through npm (npm start, npm test, npm run web, npx smsdesk …), which uses the Node ${wanted} that npm install put in node_modules; if node_modules/.bin/node is missing, run npm install first.`,
  );
  process.exit(1);
}
