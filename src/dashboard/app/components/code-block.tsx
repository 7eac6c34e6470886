// Code to copy (curl, Python): a pre block with a copy button.
import { useState } from 'preact/hooks';

export function CodeBlock({ code, title, testid }: { code: string; title: string; testid?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* clipboard needs a secure context; the text can still be selected */
    }
  };
  return (
    <div class="code-block">
      <div class="code-head">
        <span>{title}</span>
        <button type="button" class="link" onClick={copy}>
          {copied ? 'copied' : 'copy'}
        </button>
      </div>
      <pre data-testid={testid}>{code}</pre>
    </div>
  );
}
