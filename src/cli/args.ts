/**
 * The command line's grammar: `--name value`, `--name=value`, boolean `--flag`, `-h`. Small and platform-free so
 * the commands run unchanged inside workerd's tests; `node:util`'s parseArgs would tie them to Node.
 */

export type OptionSpec = Record<string, { type: "boolean" } | { type: "string"; multiple?: boolean }>;

export type ParsedOptions<S extends OptionSpec> = {
  [K in keyof S]?: S[K] extends { type: "boolean" } ? boolean : S[K] extends { multiple: true } ? string[] : string;
};

/** A mistake in how the command was called: printed as one line with a hint, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseArguments<S extends OptionSpec>(
  args: readonly string[],
  spec: S,
): { options: ParsedOptions<S> & { help?: boolean }; positionals: string[] } {
  const options: Record<string, boolean | string | string[]> = {};
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      options.help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind.type === "boolean") {
      if (equals >= 0) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else {
      value = args[index + 1];
      index += 1;
    }
    if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
    if (kind.multiple) options[name] = [...((options[name] as string[] | undefined) ?? []), value];
    else options[name] = value;
  }
  return { options: options as ParsedOptions<S> & { help?: boolean }, positionals };
}

/** A whole number of at least `min`, or a usage error naming the option. */
export function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}`);
  return Number(value);
}
