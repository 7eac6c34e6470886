import { StreamUsage, usageOfJson } from './usage-meter';

describe('usage of a model call', () => {
  it("reads OpenAI's usage from a JSON answer, else estimates it", () => {
    expect(usageOfJson(JSON.stringify({ usage: { prompt_tokens: 12, completion_tokens: 3 } }), {})).toEqual({ promptTokens: 12, completionTokens: 3, estimated: false });
    expect(usageOfJson(JSON.stringify({ choices: [{ message: { content: 'Paris is nice' } }] }), { messages: [{ content: 'What is the capital of France?' }] })).toEqual({ promptTokens: 8, completionTokens: 4, estimated: true });
  });

  it('follows a stream across chunk boundaries and takes its usage chunk', () => {
    const s = new StreamUsage();
    s.push('data: {"choices":[{"delta":{"content":"Pa"}}]}\n\ndata: {"choi');
    s.push('ces":[{"delta":{"content":"ris"}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":5}}\n\ndata: [DONE]\n\n');
    expect(s.result({})).toEqual({ promptTokens: 9, completionTokens: 5, estimated: false });
    const counted = new StreamUsage();
    for (const c of 'Tokyo') counted.push(`data: {"choices":[{"delta":{"content":"${c}"}}]}\n\n`);
    expect(counted.result({ prompt: 'Q: capital of Japan?\nA:' })).toEqual({ promptTokens: 6, completionTokens: 5, estimated: true });
  });
});
