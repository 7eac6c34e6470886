import { endpointOrigin, limitsFor, parseEndpointLimits } from './gateway-settings';

describe('model endpoint limits', () => {
  it('parses limits by origin, with a default for the rest', () => {
    const { limits, errors } = parseEndpointLimits('{"http://vllm:8000/v1": {"max_concurrent": 2, "rpm": 600}, "*": {"max_concurrent": 32}}');
    expect(errors).toEqual([]);
    expect(limitsFor(limits, 'http://vllm:8000/v1/chat/completions')).toEqual({ max_concurrent: 2, rpm: 600 });
    expect(limitsFor(limits, 'https://other.example/v1')).toEqual({ max_concurrent: 32 });
    expect(limitsFor({}, 'http://x')).toEqual({});
  });

  it('names every problem', () => {
    expect(parseEndpointLimits('{"ftp://x": {}, "http://a": {"max_concurrent": 0, "burst": 3}, "http://b": 5}').errors).toEqual([
      "MODEL_ENDPOINT_LIMITS: 'ftp://x' is not an http(s) origin or \"*\"",
      "MODEL_ENDPOINT_LIMITS['http://a'].max_concurrent must be a whole number from 1",
      "MODEL_ENDPOINT_LIMITS['http://a'].burst is not a limit (known: max_concurrent, rpm, tpm)",
      "MODEL_ENDPOINT_LIMITS['http://b'] must be an object of max_concurrent, rpm, tpm",
    ]);
    expect(parseEndpointLimits('{').errors[0]).toMatch(/not JSON/);
  });

  it('makes the port of an origin explicit', () => {
    expect(endpointOrigin('https://api.example/v1')).toBe('https://api.example:443');
    expect(endpointOrigin('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000');
    expect(endpointOrigin('not a url')).toBeUndefined();
  });
});
