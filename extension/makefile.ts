/**
 * How many harts the tree's own `make qemu` boots: the value of `CPUS` in its Makefile,
 * read without running make. xv6's Makefiles set it as `CPUS := 3` inside `ifndef CPUS`
 * (so the command line may override it), and the 6.S081 labs add `ifeq ($(LAB),fs)
 * CPUS := 1` with `LAB` from an included `conf/lab.mk`. This reads assignments (`=`,
 * `:=`, `::=`, `?=`) and the conditionals `ifdef`, `ifndef`, `ifeq`, `ifneq`, `else` and
 * `endif` with plain `$(VAR)` references, as GNU make's manual (3.7, 6.2, 7.2) describes
 * them; anything it cannot evaluate leaves the answer to the caller's default. No
 * environment variable counts: F5 is not a shell with CPUS exported.
 */

/** Lines read from a Makefile, and files included from it, at most. */
export const MAX_MAKEFILE_LINES = 5000;
/** Included files followed, at most (conf/lab.mk is the one that matters). */
export const MAX_INCLUDES = 4;
export const MIN_CPUS = 1;
export const MAX_CPUS = 8;

/** Reads an included file relative to the tree; undefined when it is missing. */
export type IncludeReader = (rel: string) => string | undefined;

interface Frame {
  /** This branch is taken. */
  active: boolean;
  /** Some branch of this conditional was taken already (for `else`). */
  done: boolean;
  /** The enclosing conditional is taken. */
  outer: boolean;
}

/** `$(X)` and `${X}` replaced by their values so far; undefined if other functions are used. */
function expand(text: string, vars: Map<string, string>): string | undefined {
  if (/\$\((?![A-Za-z_][\w.-]*\))|\$\{(?![A-Za-z_][\w.-]*\})/.test(text)) return undefined;
  return text.replace(/\$[({]([A-Za-z_][\w.-]*)[)}]/g, (_m, name: string) => vars.get(name) ?? '');
}

/** `ifeq (a,b)` / `ifeq "a" "b"` / `ifeq 'a' 'b'`: the two sides, expanded. */
function comparison(arg: string, vars: Map<string, string>): boolean | undefined {
  const e = expand(arg.trim(), vars);
  if (e === undefined) return undefined;
  let m = /^\((.*),(.*)\)$/.exec(e);
  if (m) return m[1]!.trim() === m[2]!.trim();
  m = /^(["'])(.*)\1\s+(["'])(.*)\3$/.exec(e);
  if (m) return m[2] === m[4];
  return undefined;
}

/** Strips a `#` comment (not one escaped as `\#`). */
function uncomment(line: string): string {
  const i = line.search(/(^|[^\\])#/);
  if (i < 0) return line;
  return line.slice(0, line[i] === '#' ? i : i + 1);
}

/**
 * The variables a Makefile sets at the top level, evaluated in order. Recipe lines (a
 * leading tab) and rules are skipped; `include`/`-include` of a plain path are followed
 * through `read`.
 */
export function makeVariables(text: string, read: IncludeReader = () => undefined): Map<string, string> {
  const vars = new Map<string, string>();
  const stack: Frame[] = [];
  let lines = 0;
  let includes = 0;
  const active = (): boolean => stack.length === 0 || stack[stack.length - 1]!.active;

  const run = (src: string): void => {
    // Backslash-newline joins lines (GNU make 3.1.1).
    for (const raw of src.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
      if (++lines > MAX_MAKEFILE_LINES) return;
      if (raw.startsWith('\t')) continue;
      const line = uncomment(raw).trim();
      if (!line) continue;
      const word = /^(-?include|sinclude|ifdef|ifndef|ifeq|ifneq|else|endif)\b\s*(.*)$/.exec(line);
      if (word) {
        const [, kw, rest = ''] = word;
        if (kw === 'endif') {
          stack.pop();
          continue;
        }
        if (kw === 'else') {
          const top = stack[stack.length - 1];
          if (!top) continue;
          // `else ifeq ...` is a new test inside the same conditional.
          const nested = /^(ifdef|ifndef|ifeq|ifneq)\b\s*(.*)$/.exec(rest);
          const cond = nested ? test(nested[1]!, nested[2]!) : true;
          top.active = top.outer && !top.done && cond;
          top.done ||= top.active;
          continue;
        }
        if (kw === 'ifdef' || kw === 'ifndef' || kw === 'ifeq' || kw === 'ifneq') {
          const outer = active();
          const cond = outer && test(kw, rest);
          stack.push({ active: cond, done: cond, outer });
          continue;
        }
        if (!active() || includes >= MAX_INCLUDES) continue;
        const path = expand(rest.trim(), vars);
        if (!path || /\s|[*?[]/.test(path)) continue;
        includes++;
        const inc = read(path);
        if (inc !== undefined) run(inc);
        continue;
      }
      if (!active()) continue;
      const set = /^(?:override\s+|export\s+)?([A-Za-z_][\w.-]*)\s*(::=|:=|\?=|\+=|=)\s*(.*)$/.exec(line);
      if (!set) continue;
      const [, name = '', op, value = ''] = set;
      if (op === '?=' && vars.has(name)) continue;
      const v = expand(value.trim(), vars) ?? '';
      vars.set(name, op === '+=' && vars.has(name) ? `${vars.get(name)} ${v}` : v);
    }
  };

  const test = (kw: string, arg: string): boolean => {
    if (kw === 'ifdef' || kw === 'ifndef') {
      const name = arg.trim();
      const defined = (vars.get(name) ?? '') !== '';
      return kw === 'ifdef' ? defined : !defined;
    }
    const eq = comparison(arg, vars);
    if (eq === undefined) return false;
    return kw === 'ifeq' ? eq : !eq;
  };

  run(text);
  return vars;
}

/**
 * The tree's CPUS (1 to MAX_CPUS; a larger value is cut to MAX_CPUS), or undefined when the
 * Makefile does not set a whole number.
 */
export function makefileCpus(text: string, read?: IncludeReader): number | undefined {
  const v = makeVariables(text, read).get('CPUS');
  if (v === undefined || !/^\d{1,4}$/.test(v)) return undefined;
  const n = Number(v);
  if (n < MIN_CPUS) return undefined;
  return Math.min(n, MAX_CPUS);
}
