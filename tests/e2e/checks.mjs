// What the console's node checks (reason_translations.mjs, code_translations.mjs) share: their
// settings from the environment, and named checks that each pass or list their problems.

/** The value of environment variable `name`; throws when it is not set. */
export const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

/** Named checks: each passes or prints up to 40 of its problems; summary() sets the exit code. */
export class Checks {
  passed = 0;
  failed = 0;

  check(name, problems) {
    if (problems.length === 0) {
      this.passed++;
      console.log(`ok      ${name}`);
    } else {
      this.failed++;
      console.log(`FAILED  ${name}:\n  ${problems.slice(0, 40).join('\n  ')}${problems.length > 40 ? `\n  … ${problems.length - 40} more` : ''}`);
    }
  }

  summary(what) {
    console.log(`${what}: ${this.passed} passed, ${this.failed} failed`);
    process.exitCode = this.failed ? 1 : 0;
  }
}
