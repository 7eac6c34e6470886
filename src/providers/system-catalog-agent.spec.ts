/* eslint-disable @typescript-eslint/no-explicit-any -- catalog YAML documents are read untyped */
import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readYamlDir } from '../core/config/yaml-dir';
import { ProviderConfigDto } from './dto/provider.dto';

// The system providers' agent blocks have upstream's structure: the agent facts file (shared
// reference, beside the repository) says which providers and benchmarks have one, with which
// enums, tags, entry counts and score range bounds. The sentences are ours.
const root = path.resolve(__dirname, '..', '..');
const factsFile = path.resolve(root, '..', 'shared', 'reference', 'catalog', 'evalhub-agent-facts.json');
const facts = JSON.parse(fs.readFileSync(factsFile, 'utf8')).providers as Record<string, any>;
const providers = readYamlDir(path.join(root, 'config', 'providers')).map(({ doc }) => doc as any);

describe('system provider agent metadata', () => {
  it('covers the same providers as upstream', () => {
    expect(providers.map((p) => p.id).sort()).toEqual(Object.keys(facts).sort());
  });

  it.each(Object.keys(facts))('%s: agent block as upstream', (id) => {
    const f = facts[id];
    const p = providers.find((x) => x.id === id);
    if (!f.has_agent) {
      expect(p.agent).toBeUndefined();
    } else {
      expect({
        target_type: p.agent.target_type,
        evaluates: p.agent.evaluates,
        complements: p.agent.complements,
        recommended_when: p.agent.recommended_when.length,
        hints: p.agent.hints.length,
        result_interpretation: p.agent.result_interpretation.length,
      }).toEqual({
        target_type: f.target_type,
        evaluates: f.evaluates,
        complements: f.complements,
        recommended_when: f.recommended_when.entries,
        hints: f.hints.entries,
        result_interpretation: f.result_interpretation.entries,
      });
      expect(p.agent.summary.length).toBeLessThanOrEqual(200);
    }
    const withAgent = Object.fromEntries(
      p.benchmarks
        .filter((b: any) => b.agent)
        .map((b: any) => [b.id, { keys: Object.keys(b.agent).sort(), ranges: b.agent.score_ranges?.map((r: any) => r.range) }]),
    );
    const expected = Object.fromEntries(
      Object.entries<any>(f.benchmarks_with_agent).map(([bid, a]) => [bid, { keys: Object.keys(a).sort(), ranges: a.score_ranges }]),
    );
    expect(withAgent).toEqual(expected);
    for (const b of p.benchmarks.filter((x: any) => x.agent)) {
      expect(typeof b.agent.result_interpretation).toBe('string');
      for (const r of b.agent.score_ranges ?? []) expect(r.meaning).toEqual(expect.any(String));
    }
  });

  it('every system provider passes the same validation as a tenant provider', () => {
    for (const p of providers) {
      const { id: _id, ...body } = p;
      const errors = validateSync(plainToInstance(ProviderConfigDto, body) as object, { whitelist: true });
      expect([p.id, errors.map((e) => e.toString())]).toEqual([p.id, []]);
    }
  });
});
