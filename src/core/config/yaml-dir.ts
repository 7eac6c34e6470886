import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';

/** Parses every *.yaml / *.yml file of a folder, in name order. */
export function readYamlDir(dir: string): { file: string; doc: Record<string, unknown> }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (!doc || typeof doc !== 'object' || typeof doc.id !== 'string') throw new Error(`${file}: a catalog file needs an 'id'`);
      return { file, doc };
    });
}
