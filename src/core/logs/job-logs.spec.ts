import { capBytes } from './job-logs';

async function collect(chunks: string[], limit: number): Promise<{ text: string; cut: boolean }> {
  let cut = false;
  async function* source() {
    yield* chunks;
  }
  const out: Buffer[] = [];
  for await (const b of capBytes(source(), limit, () => (cut = true))) out.push(b);
  return { text: Buffer.concat(out).toString(), cut };
}

describe('capBytes', () => {
  it('passes everything under the cap and says nothing was cut', async () => {
    expect(await collect(['ab\n', 'cd\n'], 6)).toEqual({ text: 'ab\ncd\n', cut: false });
  });

  it('keeps the first bytes up to the cap and reports the cut', async () => {
    expect(await collect(['ab\n', 'cd\n', 'ef\n'], 5)).toEqual({ text: 'ab\ncd', cut: true });
  });

  it('stops reading the source once cut', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield 'xxxx';
      }
    }
    for await (const _ of capBytes(source(), 10, () => undefined)) void _;
    expect(pulled).toBe(3);
  });
});
