#!/usr/bin/env node
/**
 * verify-package: checks the package the way n8n's community-node verification does, against the
 * LOCAL build instead of a published npm version.
 *
 *   node scripts/verify-package.js [--skip-build] [--keep] [--yara-rules DIR]
 *
 * Steps (each check counts once in the closing "verify-package: N passed, M failed" line):
 *   1. `npm run build` (unless --skip-build), then `npm pack` into a temp dir and extract it.
 *   2. Tarball contents: only package.json, README.md, LICENSE and dist/; no .ts sources (.d.ts is
 *      fine), no test files, no source maps carrying sourcesContent.
 *   3. package.json rules: name, keyword, files, license, no dependencies/overrides, peer deps,
 *      lifecycle scripts, n8n block paths present in the tarball, every *.node.ts / *.credentials.ts
 *      registered.
 *   4. n8n's scanner (@n8n/scan-community-package, devDependency): its exported analyzePackage()
 *      run exactly as analyzePackageByName() runs it after the provenance step: once on the source
 *      (SOURCE_FILE_PATTERNS, as the scanner does on the attested git checkout) and once on the
 *      extracted tarball (**\/*.js + package.json). Same ESLint config, allowInlineConfig: false.
 *      The provenance check itself needs a published version and is not run; instead the publish
 *      workflow is checked to publish with --provenance and id-token: write.
 *   5. Loads the built node and credential classes from the tarball and checks: English-only UI
 *      texts (no non-ASCII characters outside a small allow-list), icon files present.
 *   6. Optional (--yara-rules DIR or SOKU_YARA_RULES): GuardDog YARA rules through
 *      @virustotal/yara-x, as newer scanner builds do; only threat-* matches fail. Skipped (and
 *      not counted) when no rules directory is given: the rules are not published on npm.
 *
 * Exit code 0 only when every check passed.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { pathToFileURL } = require('url');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : undefined;
};

/** Characters allowed beyond printable ASCII in UI texts. */
const ALLOWED_NON_ASCII = new Set(['\u2026' /* … */, '\u2192' /* → */, '\u2014' /* — */, '\u2019' /* ’ */]);

/** Scripts npm runs on a consumer's machine (install, or install from git). */
const FORBIDDEN_SCRIPTS = [
	'preinstall',
	'install',
	'postinstall',
	'prepare',
	'preprepare',
	'postprepare',
	'prepublish',
	'prepack',
	'postpack',
	'preuninstall',
	'uninstall',
	'postuninstall',
];

let passed = 0;
let failed = 0;

function check(name, problems) {
	const list = (Array.isArray(problems) ? problems : [problems]).filter(Boolean);
	if (list.length === 0) {
		passed++;
		console.log(`ok   ${name}`);
	} else {
		failed++;
		console.log(`FAIL ${name}`);
		for (const p of list) console.log(`       ${String(p).split('\n').join('\n       ')}`);
	}
}

function skip(name, reason) {
	console.log(`skip ${name}: ${reason}`);
}

function run(cmd, cmdArgs, opts = {}) {
	const result = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
	if (result.status !== 0) {
		const out = `${result.stdout || ''}${result.stderr || ''}`.trim();
		throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${result.status}):\n${out.slice(-4000)}`);
	}
	return result.stdout;
}

function walk(dir, base = dir) {
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (entry.name === 'node_modules' || entry.name === '.git' || entry.name === 'dist') continue;
			out.push(...walk(full, base));
		} else if (entry.isFile()) out.push(path.relative(base, full).split(path.sep).join('/'));
	}
	return out;
}

// ---------------------------------------------------------------------------------------------------
// 1. Build and pack
// ---------------------------------------------------------------------------------------------------

function buildAndPack(tmp) {
	if (!flag('--skip-build')) {
		console.log('building: npm run build');
		run('npm', ['run', 'build']);
	}
	const packJson = run('npm', ['pack', '--json', '--pack-destination', tmp]);
	const [info] = JSON.parse(packJson.slice(packJson.indexOf('[')));
	const tarball = path.join(tmp, info.filename);
	const extracted = path.join(tmp, 'extracted');
	fs.mkdirSync(extracted);
	run('tar', ['-xzf', tarball, '-C', extracted, '--strip-components=1']);
	console.log(`packed ${info.filename}: ${info.entryCount} files, ${info.size} bytes\n`);
	return { tarball, extracted, files: info.files.map((f) => f.path).sort() };
}

// ---------------------------------------------------------------------------------------------------
// 2. Tarball contents
// ---------------------------------------------------------------------------------------------------

function checkTarballContents(files, extracted) {
	const rootFiles = new Set(['package.json', 'README.md', 'LICENSE']);
	check(
		'tarball holds only package.json, README.md, LICENSE and dist/',
		files.filter((f) => !rootFiles.has(f) && !f.startsWith('dist/')).map((f) => `unexpected file: ${f}`),
	);
	// n8n's starter and verification rules ship `files: ["dist"]` (CONVENTIONS 1.4); npm adds README and
	// LICENSE, not a changelog. The README links CHANGELOG.md, which npm and GitHub resolve to the repository.
	check(
		'CHANGELOG.md exists in the repository but stays out of the tarball (files is ["dist"]; the README links it)',
		[
			...(fs.existsSync(path.join(ROOT, 'CHANGELOG.md')) ? [] : ['missing: CHANGELOG.md in the repository']),
			...(/\]\(CHANGELOG\.md\)/.test(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')) ? [] : ['README.md does not link CHANGELOG.md']),
			...files.filter((f) => /^changelog/i.test(f)).map((f) => `in the tarball: ${f}`),
		],
	);
	check(
		'tarball has README.md and LICENSE (verification requires both)',
		['README.md', 'LICENSE'].filter((f) => !files.includes(f)).map((f) => `missing: ${f}`),
	);
	check(
		'tarball has no TypeScript sources (.d.ts allowed)',
		files.filter((f) => /\.(c|m)?tsx?$/.test(f) && !/\.d\.(c|m)?ts$/.test(f)).map((f) => `source file: ${f}`),
	);
	check(
		'tarball has no test files',
		files
			.filter((f) => /(^|\/)(__tests__|tests?|__mocks__|fixtures)\//.test(f) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f))
			.map((f) => `test file: ${f}`),
	);
	check(
		'tarball has no source maps carrying sources',
		files
			.filter((f) => f.endsWith('.map'))
			.filter((f) => {
				try {
					const map = JSON.parse(fs.readFileSync(path.join(extracted, f), 'utf8'));
					return Array.isArray(map.sourcesContent) && map.sourcesContent.some((s) => s);
				} catch {
					return true;
				}
			})
			.map((f) => `source map with sourcesContent: ${f}`),
	);
	const license = files.includes('LICENSE') ? fs.readFileSync(path.join(extracted, 'LICENSE'), 'utf8') : '';
	check('LICENSE is the MIT license', license && !/^MIT License/.test(license.trim()) ? 'LICENSE does not start with "MIT License"' : []);
}

// ---------------------------------------------------------------------------------------------------
// 3. package.json rules
// ---------------------------------------------------------------------------------------------------

function checkPackageJson(pkg, files) {
	check(
		'package.json name is n8n-nodes-* or @scope/n8n-nodes-*',
		/^(@[a-z0-9-~][a-z0-9-._~]*\/)?n8n-nodes-[a-z0-9-._~]+$/.test(pkg.name || '') ? [] : `name "${pkg.name}"`,
	);
	check(
		'package.json keywords include n8n-community-node-package',
		Array.isArray(pkg.keywords) && pkg.keywords.includes('n8n-community-node-package') ? [] : 'keyword missing',
	);
	check(
		'package.json files is ["dist"]',
		JSON.stringify(pkg.files) === JSON.stringify(['dist']) ? [] : `files is ${JSON.stringify(pkg.files)}`,
	);
	check('package.json license is MIT', pkg.license === 'MIT' ? [] : `license is ${JSON.stringify(pkg.license)}`);
	check(
		'package.json has homepage, author name and repository url',
		[
			!pkg.homepage && 'homepage missing',
			!(typeof pkg.author === 'string' ? pkg.author : pkg.author && pkg.author.name) && 'author name missing',
			!(pkg.repository && (typeof pkg.repository === 'string' || pkg.repository.url)) && 'repository url missing',
		],
	);
	check(
		'package.json has no runtime dependencies',
		['dependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']
			.filter((k) => pkg[k] && (Array.isArray(pkg[k]) ? pkg[k].length : Object.keys(pkg[k]).length))
			.map((k) => `${k}: ${JSON.stringify(pkg[k])}`),
	);
	const peers = Object.keys(pkg.peerDependencies || {});
	check(
		'package.json peerDependencies are only n8n-workflow',
		JSON.stringify(peers) === JSON.stringify(['n8n-workflow']) ? [] : `peerDependencies: ${JSON.stringify(pkg.peerDependencies)}`,
	);
	check(
		'package.json has no consumer-side lifecycle scripts',
		FORBIDDEN_SCRIPTS.filter((s) => pkg.scripts && pkg.scripts[s] !== undefined).map((s) => `scripts.${s}: ${pkg.scripts[s]}`),
	);
	check(
		'package.json has no overrides/resolutions',
		['overrides', 'resolutions', 'pnpm'].filter((k) => pkg[k] !== undefined).map((k) => `${k} is set`),
	);

	const n8n = pkg.n8n || {};
	const nodes = Array.isArray(n8n.nodes) ? n8n.nodes : [];
	const credentials = Array.isArray(n8n.credentials) ? n8n.credentials : [];
	check('package.json n8n block: n8nNodesApiVersion 1 and at least one node', [
		n8n.n8nNodesApiVersion !== 1 && `n8nNodesApiVersion is ${JSON.stringify(n8n.n8nNodesApiVersion)}`,
		nodes.length === 0 && 'n8n.nodes is empty',
	]);
	check(
		'n8n.nodes / n8n.credentials paths exist in the tarball',
		[...nodes, ...credentials].filter((p) => !files.includes(path.posix.normalize(p))).map((p) => `not in tarball: ${p}`),
	);
	const sources = ['nodes', 'credentials']
		.filter((d) => fs.existsSync(path.join(ROOT, d)))
		.flatMap((d) => walk(path.join(ROOT, d), ROOT));
	const toDist = (f) => `dist/${f.replace(/\.ts$/, '.js')}`;
	check(
		'every nodes/**/*.node.ts is in n8n.nodes',
		sources.filter((f) => f.endsWith('.node.ts')).filter((f) => !nodes.map(path.posix.normalize).includes(toDist(f))).map((f) => `not registered: ${f}`),
	);
	check(
		'every credentials/**/*.credentials.ts is in n8n.credentials',
		sources
			.filter((f) => f.endsWith('.credentials.ts'))
			.filter((f) => !credentials.map(path.posix.normalize).includes(toDist(f)))
			.map((f) => `not registered: ${f}`),
	);
	// Compiled files without a source (left over from an earlier build) would ship too.
	const sourceSet = new Set(sources);
	check(
		'dist/ has no stale output (every dist/**/*.js has its .ts source; clean dist/ and rebuild if not)',
		files
			.filter((f) => /^dist\/(nodes|credentials)\/.*\.js$/.test(f))
			.filter((f) => !sourceSet.has(f.replace(/^dist\//, '').replace(/\.js$/, '.ts')))
			.map((f) => `no source for ${f}`),
	);
	return { nodes: nodes.map(path.posix.normalize), credentials: credentials.map(path.posix.normalize) };
}

// ---------------------------------------------------------------------------------------------------
// 4. n8n's scanner, offline
// ---------------------------------------------------------------------------------------------------

async function runScanner(extracted, tmp) {
	// The scanner creates a temp dir at import time; keep it inside ours so it is removed with it.
	process.env.TMPDIR = tmp;
	let scanner;
	try {
		const entry = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs', { paths: [ROOT] });
		scanner = await import(pathToFileURL(entry).href);
	} catch (error) {
		check('n8n scanner is installed (@n8n/scan-community-package)', `cannot load it: ${error.message}`);
		return;
	}
	const scannerVersion = JSON.parse(
		fs.readFileSync(require.resolve('@n8n/scan-community-package/package.json', { paths: [ROOT] }), 'utf8'),
	).version;
	console.log(`\nscanner: @n8n/scan-community-package ${scannerVersion} (lint legs; provenance cannot run before publishing)`);
	const report = (name, result) =>
		check(name, result.passed ? [] : [result.message, result.details].filter(Boolean).join('\n'));

	// Same call as analyzePackageByName() makes on the provenance-attested git checkout.
	report(
		`scanner lint of the source (${scanner.SOURCE_FILE_PATTERNS.join(', ')}; inline config off)`,
		await scanner.analyzePackage(ROOT, scanner.SOURCE_FILE_PATTERNS),
	);
	// Same call as analyzePackageByName() makes on the downloaded tarball.
	report('scanner lint of the packed tarball (**/*.js, package.json; inline config off)', await scanner.analyzePackage(extracted, ['**/*.js', 'package.json']));

	// Provenance is checked by the scanner on the registry metadata of a published version; here we
	// check that the release workflow publishes with provenance at all.
	const workflow = path.join(ROOT, '.github', 'workflows', 'publish.yml');
	const text = fs.existsSync(workflow) ? fs.readFileSync(workflow, 'utf8') : '';
	check('publish workflow publishes with npm provenance (scanner fails packages without it)', [
		!text && '.github/workflows/publish.yml is missing',
		text && !/npm publish[^\n]*--provenance/.test(text) && 'no "npm publish --provenance" step',
		text && !/id-token:\s*write/.test(text) && 'permissions lack "id-token: write"',
	]);
}

// ---------------------------------------------------------------------------------------------------
// 5. Built descriptions: English-only texts, icons
// ---------------------------------------------------------------------------------------------------

const TEXT_KEYS = new Set(['displayName', 'description', 'hint', 'placeholder', 'action', 'subtitle', 'outputNames', 'multipleValueButtonText']);

function collectTexts(value, where, out, key) {
	if (typeof value === 'string') {
		if (TEXT_KEYS.has(key) || key === 'name' || key === 'outputs') out.push({ where, text: value });
		return;
	}
	if (Array.isArray(value)) {
		value.forEach((v, i) => collectTexts(v, `${where}[${i}]`, out, key));
		return;
	}
	if (value && typeof value === 'object') {
		const label = typeof value.name === 'string' ? `${where}{${value.name}}` : where;
		for (const [k, v] of Object.entries(value)) {
			// A property's `name` is an internal key; an option's `name` is its visible label.
			if (k === 'name' && !('value' in value)) continue;
			if (k === 'default' || k === 'routing' || k === 'displayOptions') continue;
			collectTexts(v, `${label}.${k}`, out, k);
		}
	}
}

function nonAsciiProblems(texts) {
	const problems = [];
	for (const { where, text } of texts) {
		const bad = [...text].filter((ch) => ch.codePointAt(0) > 0x7e && !ALLOWED_NON_ASCII.has(ch));
		if (bad.length) {
			const chars = [...new Set(bad)].map((c) => `"${c}" U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
			problems.push(`${where}: ${chars.join(', ')} in "${text.slice(0, 80)}"`);
		}
	}
	return problems;
}

function iconProblems(icon, fileDir, where) {
	if (!icon) return [`${where}: no icon`];
	const paths = typeof icon === 'string' ? [icon] : [icon.light, icon.dark];
	return paths
		.filter((p) => typeof p !== 'string' || !p.startsWith('file:') || !fs.existsSync(path.join(fileDir, p.slice(5))))
		.map((p) => `${where}: icon ${JSON.stringify(p)} not in the tarball next to the compiled file`);
}

function checkDescriptions(extracted, registered) {
	// The extracted tarball has no node_modules: borrow the repo's (n8n-workflow is the only import).
	const link = path.join(extracted, 'node_modules');
	if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, 'node_modules'), link, 'dir');
	const texts = [];
	const icons = [];
	const loadErrors = [];
	const load = (rel) => {
		const file = path.join(extracted, rel);
		try {
			const mod = require(file);
			return Object.values(mod)
				.filter((v) => typeof v === 'function')
				.map((Class) => ({ instance: new Class(), dir: path.dirname(file) }));
		} catch (error) {
			loadErrors.push(`${rel}: ${error.message}`);
			return [];
		}
	};
	for (const rel of registered.nodes) {
		for (const { instance, dir } of load(rel)) {
			const descriptions = instance.nodeVersions ? Object.values(instance.nodeVersions).map((v) => v.description) : [instance.description];
			if (instance.description && instance.nodeVersions) descriptions.push(instance.description);
			for (const d of descriptions) {
				if (!d) continue;
				const where = `${rel} ${d.name}@${JSON.stringify(d.version)}`;
				collectTexts(d, where, texts);
				if (d.defaults && typeof d.defaults.name === 'string') texts.push({ where: `${where}.defaults.name`, text: d.defaults.name });
				if (d.displayName) icons.push(...iconProblems(d.icon, dir, where));
			}
		}
	}
	for (const rel of registered.credentials) {
		for (const { instance, dir } of load(rel)) {
			const where = `${rel} ${instance.name}`;
			texts.push({ where: `${where}.displayName`, text: String(instance.displayName || '') });
			collectTexts(instance.properties || [], `${where}.properties`, texts);
			icons.push(...iconProblems(instance.icon, dir, where));
		}
	}
	check('built node and credential classes load from the tarball', loadErrors);
	check(`UI texts are English-only ASCII (allowed extras: ${[...ALLOWED_NON_ASCII].join(' ')}; ${texts.length} strings)`, [
		texts.length === 0 && 'no texts found: descriptions did not load',
		...nonAsciiProblems(texts),
	]);
	check('node and credential icons exist in the tarball', icons);
}

// ---------------------------------------------------------------------------------------------------
// 6. Optional YARA step
// ---------------------------------------------------------------------------------------------------

async function runYara(extracted) {
	const rulesDir = option('--yara-rules') || process.env.SOKU_YARA_RULES;
	if (!rulesDir) {
		skip('YARA (GuardDog threat rules)', 'no --yara-rules DIR given; the rules are not published on npm');
		return;
	}
	let yara;
	try {
		// Resolvable from the repo or from the current directory (it need not be a devDependency).
		const entry = require.resolve('@virustotal/yara-x', { paths: [ROOT, process.cwd()] });
		yara = await import(pathToFileURL(entry).href);
		const wasm = path.join(path.dirname(entry), 'yara_x_js_bg.wasm');
		await yara.default({ module_or_path: fs.readFileSync(wasm) });
	} catch (error) {
		check('YARA engine loads (@virustotal/yara-x)', `${error.message} (install it in the repo or the current directory: npm install --no-save @virustotal/yara-x)`);
		return;
	}
	const compiler = new yara.Compiler();
	const ruleNames = new Set();
	const dir = path.resolve(rulesDir);
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yar'))) {
		let source = fs.readFileSync(path.join(dir, file), 'utf8');
		const m = /^rule\s+(\w+)/m.exec(source);
		if (m) ruleNames.add(m[1]);
		source = source.replace(/^include\s+"([^"]+)"\s*$/gm, (_, inc) => fs.readFileSync(path.join(dir, inc), 'utf8'));
		compiler.addSource(source);
	}
	const rules = compiler.build();
	const globRe = (g) => new RegExp(`^${g.trim().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
	const findings = [];
	const filesToScan = [];
	const collect = (d) => {
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			if (e.name === 'node_modules') continue;
			const full = path.join(d, e.name);
			if (e.isDirectory()) collect(full);
			else if (e.isFile()) filesToScan.push(full);
		}
	};
	collect(extracted);
	for (const file of filesToScan) {
		const rel = path.relative(extracted, file).split(path.sep).join('/');
		for (const match of rules.scan(fs.readFileSync(file)).matches) {
			if (!ruleNames.has(match.identifier)) continue;
			const rule = match.identifier.replace(/_/g, '-');
			if (!rule.startsWith('threat-')) continue;
			const meta = Object.fromEntries(match.metadata.map((x) => [x.identifier, x.value]));
			const tarPath = `package/${rel}`;
			const matches = (list) => list.split(',').map(globRe).some((re) => re.test(tarPath) || re.test(path.basename(rel)));
			if (meta.path_include && !matches(meta.path_include)) continue;
			if (meta.path_exclude && matches(meta.path_exclude)) continue;
			findings.push(`${rel}: ${rule} (${meta.description || ''})`);
		}
	}
	check(`YARA threat rules (${ruleNames.size} rules from ${rulesDir})`, findings);
}

// ---------------------------------------------------------------------------------------------------

async function main() {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-package-'));
	try {
		const { extracted, files } = buildAndPack(tmp);
		const pkg = JSON.parse(fs.readFileSync(path.join(extracted, 'package.json'), 'utf8'));
		checkTarballContents(files, extracted);
		const registered = checkPackageJson(pkg, files);
		await runScanner(extracted, tmp);
		console.log('');
		checkDescriptions(extracted, registered);
		await runYara(extracted);
	} catch (error) {
		check('verify-package ran to completion', error.stack || error.message);
	} finally {
		if (flag('--keep')) console.log(`\nkept ${tmp}`);
		else fs.rmSync(tmp, { recursive: true, force: true });
	}
	console.log(`\nverify-package: ${passed} passed, ${failed} failed`);
	process.exitCode = failed === 0 ? 0 : 1;
}

main();
