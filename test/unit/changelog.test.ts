/**
 * CHANGELOG.md follows Keep a Changelog 1.1.0 and names the version package.json releases, and the README's
 * version sentence names the release that introduced node version 2 (what a user upgrading reads).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CHANGELOG = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

const releases = [...CHANGELOG.matchAll(/^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$/gm)].map((m) => ({ version: m[1], date: m[2], at: m.index }));
const versionNumber = (v: string) => v.split('.').reduce((n, part) => n * 1000 + Number(part), 0);

test('the newest release is package.json\'s version; releases run newest first, with real dates', () => {
	expect(releases.length).toBeGreaterThanOrEqual(2);
	expect(releases[0].version).toBe(pkg.version);
	for (let i = 1; i < releases.length; i++) {
		expect(versionNumber(releases[i - 1].version)).toBeGreaterThan(versionNumber(releases[i].version));
		expect(releases[i - 1].date >= releases[i].date).toBe(true);
	}
	for (const r of releases) expect(new Date(`${r.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(r.date);
});

test('only Keep a Changelog\'s section names, and a link for every release', () => {
	const sections = [...CHANGELOG.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
	expect(sections.length).toBeGreaterThan(0);
	for (const s of sections) expect(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security']).toContain(s);
	for (const r of releases) expect(CHANGELOG).toMatch(new RegExp(`^\\[${r.version.replace(/\./g, '\\.')}\\]: https://`, 'm'));
	expect(CHANGELOG).toContain('[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)');
});

test('the README names the release before node version 2 and the one that introduced it, and links the changelog', () => {
	const introducing = releases.filter((r) => /node version 2/.test(CHANGELOG.slice(r.at, releases.find((x) => (x.at ?? 0) > (r.at ?? 0))?.at)));
	const first = introducing[introducing.length - 1];
	const before = releases[releases.indexOf(first) + 1];
	expect(README).toContain(`Soku nodes saved with release ${before.version} are node version 1`);
	expect(README).toContain(`from release ${first.version} on, a new Soku node is version 2`);
	expect(README).toMatch(/\]\(CHANGELOG\.md\)/);
});
