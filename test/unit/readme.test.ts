import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { benchmarkSection, branchTable, operationTable, replaceBlock } from '../helpers/readmeTables';

const README = join(__dirname, '../../README.md');
const BENCH_RESULTS = join(__dirname, '../../bench/results.json');

test('the README tables are generated from the error table and the endpoint list', () => {
	const current = readFileSync(README, 'utf8');
	const expected = replaceBlock(replaceBlock(current, 'branch-table', branchTable()), 'operation-table', operationTable());
	if (process.env.UPDATE_README === '1') writeFileSync(README, expected);
	expect(current).toBe(expected);
});

test('the README benchmark table is generated from the last bench/results.json', () => {
	const current = readFileSync(README, 'utf8');
	const expected = replaceBlock(current, 'bench-table', benchmarkSection(JSON.parse(readFileSync(BENCH_RESULTS, 'utf8'))));
	if (process.env.UPDATE_README === '1') writeFileSync(README, expected);
	expect(current).toBe(expected);
});
