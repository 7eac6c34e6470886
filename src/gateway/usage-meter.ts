// What one proxied model call cost, read from the answer: OpenAI's `usage` (JSON, or the last SSE
// chunk that carries it), else counted (characters / 4, the usual rule of thumb) and marked so.

export interface CallUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the answer gave no usage and the tokens were estimated. */
  estimated: boolean;
}

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

const estimate = (chars: number) => Math.ceil(chars / 4);

/** Text the request sends to the model (prompt or messages), for an estimate. */
export function requestText(body: unknown): string {
  const b = body as { prompt?: unknown; messages?: { content?: unknown }[] } | undefined;
  if (!b) return '';
  if (typeof b.prompt === 'string') return b.prompt;
  if (Array.isArray(b.prompt)) return b.prompt.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
  if (Array.isArray(b.messages)) return b.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))).join('\n');
  return '';
}

/** A non-streaming JSON answer. */
export function usageOfJson(text: string, request: unknown): CallUsage {
  let doc: { usage?: OpenAiUsage; choices?: { text?: string; message?: { content?: string } }[] } | undefined;
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    doc = undefined;
  }
  if (doc?.usage && typeof doc.usage.prompt_tokens === 'number') {
    return { promptTokens: doc.usage.prompt_tokens, completionTokens: doc.usage.completion_tokens ?? 0, estimated: false };
  }
  const out = (doc?.choices ?? []).map((c) => c.text ?? c.message?.content ?? '').join('');
  return { promptTokens: estimate(requestText(request).length), completionTokens: estimate(out.length), estimated: true };
}

/** Follows an SSE answer chunk by chunk without holding it: the usage chunk if any, else the text. */
export class StreamUsage {
  private buf = '';
  private usage?: OpenAiUsage;
  private chars = 0;
  private chunks = 0;

  push(chunk: Buffer | string): void {
    this.buf += chunk.toString();
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') continue;
      try {
        const doc = JSON.parse(data) as { usage?: OpenAiUsage; choices?: { text?: string; delta?: { content?: string } }[] };
        if (doc.usage && typeof doc.usage.prompt_tokens === 'number') this.usage = doc.usage;
        for (const c of doc.choices ?? []) {
          const piece = c.delta?.content ?? c.text ?? '';
          if (piece) {
            this.chars += piece.length;
            this.chunks++;
          }
        }
      } catch {
        /* not JSON: not ours to count */
      }
    }
  }

  result(request: unknown): CallUsage {
    if (this.usage) return { promptTokens: this.usage.prompt_tokens ?? 0, completionTokens: this.usage.completion_tokens ?? 0, estimated: false };
    // One streamed chunk is one token for the servers we know; chars/4 when chunks carry more.
    return { promptTokens: estimate(requestText(request).length), completionTokens: Math.max(this.chunks, estimate(this.chars)), estimated: true };
  }
}
