import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeterministic, ResponseCache } from './response-cache';

describe('response cache', () => {
  it('caches deterministic calls only: temperature 0, a fixed seed, or log-likelihood', () => {
    expect(isDeterministic({ temperature: 0 })).toBe(true);
    expect(isDeterministic({ seed: 7, temperature: 0.8 })).toBe(true);
    expect(isDeterministic({ echo: true, logprobs: 1, temperature: 1 })).toBe(true);
    expect(isDeterministic({ temperature: 0.7 })).toBe(false);
    expect(isDeterministic({})).toBe(false);
  });

  it('keys by endpoint, path and the body with sorted keys, ignoring stream options', () => {
    const k = ResponseCache.key('http://m:80', '/v1/completions', { model: 'm', prompt: 'x', temperature: 0 });
    expect(ResponseCache.key('http://m:80', '/v1/completions', { temperature: 0, prompt: 'x', model: 'm', stream_options: { include_usage: true } })).toBe(k);
    expect(ResponseCache.key('http://other:80', '/v1/completions', { model: 'm', prompt: 'x', temperature: 0 })).not.toBe(k);
    expect(ResponseCache.key('http://m:80', '/v1/completions', { model: 'm', prompt: 'y', temperature: 0 })).not.toBe(k);
  });

  it('gives back exactly what it stored', () => {
    const cache = new ResponseCache(fs.mkdtempSync(path.join(os.tmpdir(), 'respcache-')));
    const body = Buffer.from('data: {"a":1}\n\ndata: [DONE]\n\n');
    cache.put('ab12', { status: 200, contentType: 'text/event-stream', body });
    expect(cache.get('ab12')).toEqual({ status: 200, contentType: 'text/event-stream', body });
    expect(cache.get('cd34')).toBeUndefined();
  });
});
