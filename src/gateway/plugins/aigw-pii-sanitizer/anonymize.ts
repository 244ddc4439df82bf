/**
 * Rewrites prompt text found by the PII detectors, per request. A `Vault` hands out one
 * replacement per distinct value (`<EMAIL_1>`, `<EMAIL_2>`…, or a custom pattern's fixed text)
 * and remembers which placeholders can be turned back into their values.
 */
import { detect, type Detector, type Finding } from './pii.js';

export type Mode = 'redact' | 'placeholder' | 'block';

export class Vault {
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  /** Placeholder → original value, for placeholders that name exactly one value. */
  readonly restorable = new Map<string, string>();
  private readonly ambiguous = new Set<string>();
  /** Findings per type (counts only; values are never logged). */
  readonly counts: Record<string, number> = {};

  constructor(private readonly mode: Mode) {}

  replacement(f: Finding): string {
    this.counts[f.type] = (this.counts[f.type] ?? 0) + 1;
    const key = `${f.type}\u0000${f.value}`;
    const known = this.byValue.get(key);
    if (known !== undefined) return known;
    const fixed = f.detector.placeholder;
    let text: string;
    if (fixed !== undefined && fixed !== null) text = fixed;
    else if (this.mode === 'redact') text = `[REDACTED_${f.type.toUpperCase()}]`;
    else {
      const n = (this.counters.get(f.type) ?? 0) + 1;
      this.counters.set(f.type, n);
      text = `<${f.type.toUpperCase()}_${n}>`;
    }
    this.byValue.set(key, text);
    if (this.mode === 'placeholder') this.remember(text, f.value);
    return text;
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  private remember(text: string, value: string): void {
    if (this.ambiguous.has(text)) return;
    const prev = this.restorable.get(text);
    if (prev !== undefined && prev !== value) {
      this.restorable.delete(text);
      this.ambiguous.add(text);
      return;
    }
    this.restorable.set(text, value);
  }
}

/** `text` with every finding replaced (right to left, so offsets stay valid). */
export function anonymizeText(text: string, detectors: readonly Detector[], vault: Vault): string {
  const findings = detect(text, detectors);
  if (findings.length === 0) return text;
  const replaced = findings.map((f) => vault.replacement(f));
  let out = text;
  for (let i = findings.length - 1; i >= 0; i--) {
    const f = findings[i];
    out = out.slice(0, f.start) + replaced[i] + out.slice(f.end);
  }
  return out;
}
