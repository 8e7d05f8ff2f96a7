/** `--flag=value` as [flag, value]; any other argument as [argument, undefined] (its value, if any, is the next one). */
export function splitFlag(arg: string): [string, string | undefined] {
    const equals = arg.indexOf("=");
    return arg.startsWith("--") && equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
}
