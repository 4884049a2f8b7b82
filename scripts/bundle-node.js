#!/usr/bin/env node
/**
 * bundle-node: builds each node and credential file listed in package.json `n8n` into one file in dist/
 * holding its whole module graph, with esbuild. Why: n8n loads every installed community node at start
 * and on every worker; resolving, reading and compiling ~30 small files costs more than the code in them
 * (bench/README.md, scenario 5). Type-checking stays with `tsc --noEmit` (npm run build runs both).
 *
 * Modules reached only through `await import()` (the executor, actions/router) stay in the same file but
 * are evaluated on first use: esbuild wraps them in a lazy initialiser. n8n-workflow stays an external
 * `require`, resolved from n8n's own copy as before. Minified (the tarball is 10 KB smaller, bench row 5c;
 * load time did not change measurably, row 5b) with names kept, so stack traces still name every function;
 * the readable code is the TypeScript in the repository.
 *
 * Usage: node scripts/bundle-node.js [--watch]   (--watch: rebuild on every change; scripts/dev.sh uses it)
 * require('./bundle-node.js').bundleOptions: the esbuild options, without building (test/unit/editor-defaults.test.ts).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const pkg = require(path.join(ROOT, 'package.json'));
const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((file) => file.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

const options = {
	absWorkingDir: ROOT,
	entryPoints: entries,
	outdir: 'dist',
	outbase: '.',
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'cjs',
	external: ['n8n-workflow'],
	// n8n instantiates the class named after the file: keep class and function names as written.
	keepNames: true,
	minify: true,
	legalComments: 'none',
	metafile: true,
	logLevel: 'warning',
};

// Required (not run): the options only, so a test can build the node exactly as `npm run build` does.
module.exports = { bundleOptions: options };
if (require.main !== module) return;

if (process.argv.includes('--watch')) {
	const report = {
		name: 'report',
		setup(build) {
			build.onEnd((r) => console.log(`bundle-node: ${new Date().toISOString().slice(11, 19)} rebuilt (${r.errors.length} errors)`));
		},
	};
	esbuild
		.context({ ...options, plugins: [report] })
		.then((context) => context.watch())
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
	return;
}

fs.rmSync(path.join(ROOT, 'dist', 'nodes'), { recursive: true, force: true });
fs.rmSync(path.join(ROOT, 'dist', 'credentials'), { recursive: true, force: true });
const result = esbuild.buildSync(options);

for (const [file, output] of Object.entries(result.metafile.outputs)) {
	const modules = Object.keys(output.inputs).length;
	console.log(`bundle-node: ${file}: ${modules} modules, ${(output.bytes / 1024).toFixed(1)} KB`);
}
