/** Command-line plumbing shared by the `bep` commands: usage errors and option parsing. */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** What `parsed` returns for `options`. */
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true }>>;

/** A user error on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses `args` strictly against `options` (node:util parseArgs), turning its errors (unknown
 * flags, missing values) into usage errors. A negative number after a string option is its value
 * (`--gate -0.1`), so that the range check can name it, not parseArgs' "ambiguous" error.
 */
export function parsed<O extends Options>(args: string[], options: O): Parsed<O> {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : null;
    if (name !== null && options[name]?.type === "string" && /^-[\d.]/.test(args[i + 1] ?? "")) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  try {
    return parseArgs({ args: joined, options, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Whether `flag` (without dashes) is among `args`, as `--flag value` or `--flag=value`. */
export function given(args: readonly string[], flag: string): boolean {
  return args.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
}

/** The value `v` of option `--name` as a non-negative integer, or a usage error. */
export function int(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} expects a non-negative integer, got '${v}'`);
  return Number(v);
}

/** The value `v` of option `--name` as a positive integer, or a usage error. */
export function positive(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} expects a positive integer, got '${v}'`);
  return Number(v);
}

/** The value `v` of option `--name` as a finite number, or a usage error. */
export function real(name: string, v: string): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--${name} expects a number, got '${v}'`);
  return x;
}
