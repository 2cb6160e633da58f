/** A command-line mistake found by a handler rather than by yargs: reported like yargs' own (exit 2). */
export class UsageError extends Error {}
