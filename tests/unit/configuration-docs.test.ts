import fs from 'node:fs';
import path from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../../src/config';

// An operator learns the variables from README's configuration table and from .env.example; a
// variable the code reads but neither names is a setting nobody can find.

const root = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const envExample = fs.readFileSync(path.join(root, '.env.example'), 'utf8');

/** The rows of README's configuration table (between "## Configuration" and the next section). */
function configurationTable(): string {
  const start = readme.indexOf('\n## Configuration\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end).split('\n').filter((line) => line.startsWith('| `')).join('\n');
}

/** Each `NAME=` line of .env.example with the comment line right above it. */
function commentedVariables(): Map<string, string> {
  const lines = envExample.split('\n');
  const found = new Map<string, string>();
  lines.forEach((line, index) => {
    const name = /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
    if (name) found.set(name, lines[index - 1] ?? '');
  });
  return found;
}

describe('the configuration documentation', () => {
  it.each(ENVIRONMENT_VARIABLES)('names %s in the README configuration table', (name) => {
    expect(configurationTable()).toContain(`\`${name}\``);
  });

  it.each(ENVIRONMENT_VARIABLES)('lists %s in .env.example under a comment', (name) => {
    const comment = commentedVariables().get(name);
    expect(comment).toMatch(/^# \S/);
  });

  it('documents no variable the hotline does not read', () => {
    const unknown = [...commentedVariables().keys()].filter((name) => !ENVIRONMENT_VARIABLES.includes(name));
    expect(unknown).toEqual([]);
  });
});
