import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { branchTable, operationTable, replaceBlock } from '../helpers/readmeTables';

const README = join(__dirname, '../../README.md');

test('the README tables are generated from the error table and the endpoint list', () => {
	const current = readFileSync(README, 'utf8');
	const expected = replaceBlock(replaceBlock(current, 'branch-table', branchTable()), 'operation-table', operationTable());
	if (process.env.UPDATE_README === '1') writeFileSync(README, expected);
	expect(current).toBe(expected);
});
