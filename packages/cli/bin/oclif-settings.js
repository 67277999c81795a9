// Imported by run.js before the CLI, so it runs before @oclif/core is first evaluated.
// oclif checks Node against its own (looser) engines range with semver when it is imported: about 25 ms
// of every start, for a check that can never fail where this CLI's own engines range is met.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
