/**
 * Kong patterns are PCRE; aigw runs them as JavaScript RegExps. This translates the common PCRE
 * spellings that JavaScript lacks and reports what cannot be compiled, once, at load time.
 */

export type CompiledRegex = { regex: RegExp } | { error: string };

export function translatePcre(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  source = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>').replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return { source, flags };
}

/** Compile a Kong (PCRE) pattern. `anchored` makes it match from the start, as route regex paths do. */
export function compileKongRegex(pattern: string, opts: { anchored?: boolean } = {}): CompiledRegex {
  const { source, flags } = translatePcre(pattern);
  try {
    return { regex: new RegExp(opts.anchored ? `^(?:${source})` : source, flags) };
  } catch (err) {
    return { error: (err as Error).message.replace(/^Invalid regular expression: /, '') };
  }
}
