#!/usr/bin/env node
/**
 * bundle-node: after `tsc`, turns each node file listed in package.json `n8n.nodes` into one file holding
 * its whole module graph (the modules tsc emitted next to it), and deletes the inlined files from dist/.
 * Why: n8n loads every installed community node at start and on every worker; resolving, reading and
 * compiling ~25 small files costs more than the code in them (bench/README.md, scenario 5).
 *
 * Each module keeps its own scope and runs once, on its first require, as under Node's loader. Modules
 * reached only through `await import('./x')` go to `<node>.lazy.js`, read on the first execution, so
 * they stay lazy; both files share one module registry (one instance of every module). Relative requires become `__sokuLoad("<id>")`; requires of packages
 * (n8n-workflow, crypto) stay literal `require("...")` calls, resolved from the same folder as before.
 * Credentials have no relative requires and are left as they are.
 *
 * Usage: node scripts/bundle-node.js [--check]   (--check: bundle into memory, change nothing)
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
// tsc keeps the source's quotes in `await import('./x')` → require('./x'); static imports get double quotes.
const RELATIVE_REQUIRE = /\brequire\((["'])(\.{1,2}\/[^"']+)\1\)/g;

function resolveModule(fromFile, request) {
	const base = path.resolve(path.dirname(fromFile), request);
	for (const candidate of [base, `${base}.js`, path.join(base, 'index.js')]) {
		if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
	}
	throw new Error(`bundle-node: ${path.relative(ROOT, fromFile)} requires "${request}", which is not in dist/`);
}

// How tsc (module commonjs, esModuleInterop) emits `await import('./x')`: that module starts a lazy chunk.
const DYNAMIC_IMPORT = /Promise\.resolve\(\)\.then\(\(\) => __importStar\(require\((["'])(\.{1,2}\/[^"']+)\1\)\)\)/g;

/**
 * The entry's module graph: Map(file → source) of everything reachable, and the set reachable through
 * static requires alone (loaded with the node; the rest only when a lazy import runs).
 */
function collect(entry) {
	const modules = new Map();
	const staticTargets = new Map();
	const visit = (file) => {
		if (modules.has(file)) return;
		const source = fs.readFileSync(file, 'utf8');
		modules.set(file, source);
		const withoutDynamic = source.replace(DYNAMIC_IMPORT, '');
		staticTargets.set(file, [...withoutDynamic.matchAll(RELATIVE_REQUIRE)].map((m) => resolveModule(file, m[2])));
		for (const match of source.matchAll(RELATIVE_REQUIRE)) visit(resolveModule(file, match[2]));
	};
	visit(entry);
	const eager = new Set();
	const visitStatic = (file) => {
		if (eager.has(file)) return;
		eager.add(file);
		for (const target of staticTargets.get(file)) visitStatic(target);
	};
	visitStatic(entry);
	return { modules, eager };
}

/** The eager bundle (written over the entry) and the lazy chunk next to it (`<entry>.lazy.js`). */
function bundle(entry) {
	const { modules, eager } = collect(entry);
	const id = (file) => path.relative(path.dirname(entry), file).split(path.sep).join('/');
	const lazyFile = entry.replace(/\.js$/, '.lazy.js');
	const definitions = (files) =>
		files.flatMap((file) => [
			`${JSON.stringify(id(file))}: function (exports, module, __sokuLoad) {`,
			modules.get(file).replace(RELATIVE_REQUIRE, (_, _quote, request) => `__sokuLoad(${JSON.stringify(id(resolveModule(file, request)))})`),
			'},',
		]);
	const lazy = [...modules.keys()].filter((f) => !eager.has(f));
	const main = [
		'"use strict";',
		'const __sokuModules = {',
		...definitions([...eager]),
		'};',
		'const __sokuCache = {};',
		'function __sokuLoad(id) {',
		'	if (__sokuCache[id]) return __sokuCache[id].exports;',
		...(lazy.length ? [`	if (!(id in __sokuModules)) Object.assign(__sokuModules, require(${JSON.stringify(`./${path.basename(lazyFile)}`)}));`] : []),
		'	const module = { exports: {} };',
		'	__sokuCache[id] = module;',
		'	__sokuModules[id].call(module.exports, module.exports, module, __sokuLoad);',
		'	return module.exports;',
		'}',
		`module.exports = __sokuLoad(${JSON.stringify(id(entry))});`,
		'',
	].join('\n');
	const chunk = lazy.length ? ['"use strict";', 'module.exports = {', ...definitions(lazy), '};', ''].join('\n') : undefined;
	return { main, chunk, lazyFile, files: [...modules.keys()], eager: eager.size, lazy: lazy.length };
}

function main() {
	const check = process.argv.includes('--check');
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const entries = (pkg.n8n?.nodes ?? []).map((f) => path.join(ROOT, f));
	const bundled = entries.filter((f) => fs.readFileSync(f, 'utf8').includes('const __sokuModules = {'));
	if (bundled.length) {
		console.log(`bundle-node: ${bundled.map((f) => path.relative(ROOT, f)).join(', ')} already bundled (run tsc first)`);
		return;
	}
	const bundles = entries.map((entry) => ({ entry, ...bundle(entry) }));
	// Two node bundles sharing a module would each get their own copy (two pacing registries …): refuse.
	const owner = new Map();
	for (const b of bundles) {
		for (const f of b.files) {
			if (owner.has(f) && owner.get(f) !== b.entry) throw new Error(`bundle-node: ${path.relative(ROOT, f)} is in two node bundles`);
			owner.set(f, b.entry);
		}
	}
	const say = (b, verb) =>
		console.log(`bundle-node: ${path.relative(ROOT, b.entry)}: ${b.eager} modules ${verb} with the node, ${b.lazy} in ${path.basename(b.lazyFile)} (loaded on first execution)`);
	if (check) {
		for (const b of bundles) say(b, 'would load');
		return;
	}
	for (const b of bundles) {
		for (const f of b.files) if (f !== b.entry) fs.rmSync(f);
		fs.writeFileSync(b.entry, b.main);
		if (b.chunk) fs.writeFileSync(b.lazyFile, b.chunk);
		say(b, 'load');
	}
	// Emitted for type-only files (actions/types.ts): required by nothing, loaded by nothing. Declarations and
	// maps from older builds (tsc does not clean dist/) would end up in the tarball too.
	const reachable = new Set(bundles.flatMap((b) => [b.entry, b.lazyFile]).concat((pkg.n8n?.credentials ?? []).map((f) => path.join(ROOT, f))));
	const removeUnreached = (dir) => {
		for (const name of fs.readdirSync(dir)) {
			const p = path.join(dir, name);
			if (fs.statSync(p).isDirectory()) removeUnreached(p);
			else if (/\.d\.ts$|\.map$/.test(p) || (p.endsWith('.js') && !reachable.has(p))) fs.rmSync(p);
		}
	};
	removeUnreached(path.join(ROOT, 'dist'));
	// Folders left empty by the inlined modules.
	const prune = (dir) => {
		for (const name of fs.readdirSync(dir)) {
			const p = path.join(dir, name);
			if (fs.statSync(p).isDirectory()) prune(p);
		}
		if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
	};
	prune(path.join(ROOT, 'dist'));
}

main();
