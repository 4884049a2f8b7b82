/**
 * Which outputs the node has and which output an item goes to. The output list is computed by one
 * self-contained function per node version that runs twice: inside n8n's expression engine (the node's
 * dynamic `outputs`, so the canvas shows the branches) and inside execute() (so items land on the same
 * indexes).
 *
 * n8n stores connections by output index and only re-maps them for its own Switch node, so an output's
 * index must not depend on a choice the user makes after wiring. Version 1 (configuredOutputNames) breaks
 * that: its outputs are the chosen codes. Version 2 (fixedOutputNames) gives every code the operation can
 * return its own output whatever is chosen.
 */
import {
	ERROR_CATEGORIES,
	ERROR_TABLE,
	OTHER_ERROR_OUTPUT,
	codesForOperation,
	type OperationId,
} from '../errors/errorTable';
import type { SokuErrorInfo } from '../errors/classify';

export type RoutingMode = 'perCode' | 'perCategory' | 'single' | 'stop';
export const ROUTING_MODES: readonly RoutingMode[] = ['perCode', 'perCategory', 'single', 'stop'];

export interface OutputTable {
	codes: string[];
	categories: string[];
	other: string;
	/** "resource:operation" → codes that operation can return, in table order. */
	operationCodes: Record<string, string[]>;
	/** "resource:operation" → name of that operation's "Error Branches" parameter. */
	codeParameters: Record<string, string>;
}

/** Version 2's table: version 1's (whose expression text stays as released) plus the "(off)" label. */
export interface FixedOutputTable extends OutputTable {
	/** Put before the name of a code's output while the code is not chosen. */
	unchosenPrefix: string;
}

/**
 * Label prefix of a version-2 output whose code is not chosen in Error Branches (its items go to Other
 * Error). A prefix, because the canvas cuts long output labels short at the end.
 */
export const UNCHOSEN_PREFIX = '(off) ';

export interface OutputParameters {
	resource?: unknown;
	operation?: unknown;
	errorRouting?: unknown;
	/** The operation's "Error Branches" parameter, under the name codeParameters gives. */
	[errorCodesParameter: string]: unknown;
}

/**
 * Each operation has its own "Error Branches" parameter (default: the codes it can return). One shared
 * name would carry one operation's choice over to another when the user switches operation.
 */
export function errorCodesParameter(resource: string, operation: string): string {
	const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
	return `errorCodesFor${cap(resource)}${cap(operation)}`;
}

// Stryker disable all: n8n evaluates this function's source text (outputsExpression), where mutation
// instrumentation cannot run; route.test.ts and the engine tests check its results instead.
/**
 * Output names for the node's parameters. Runs in n8n's expression sandbox, so it is written in plain
 * JavaScript with no imports, helpers or closures: n8n evaluates its source text.
 */
export function configuredOutputNames(parameters: OutputParameters, table: OutputTable): string[] {
	const mode = parameters.errorRouting || 'perCode';
	if (mode === 'stop') return ['Success'];
	if (mode === 'single') return ['Success', 'Error'];
	if (mode === 'perCategory') return ['Success'].concat(table.categories, [table.other]);
	const key = String(parameters.resource) + ':' + String(parameters.operation);
	let chosen = parameters[table.codeParameters[key]];
	if (!Array.isArray(chosen)) chosen = table.operationCodes[key] || [];
	const names = ['Success'];
	for (let i = 0; i < table.codes.length; i++) {
		if ((chosen as unknown[]).indexOf(table.codes[i]) !== -1) names.push(table.codes[i]);
	}
	names.push(table.other);
	return names;
}
// Stryker restore all

// Stryker disable all: evaluated as source text by n8n, like configuredOutputNames above.
/**
 * Version 2 output names: a fixed layout per operation and routing mode. Per code: Success, every code the
 * operation can return (table order), Other Error. The "Error Branches" choice only renames an unchosen
 * code's output ("(off) upload_failed") so routeItem sends its items to Other Error; it never adds, drops
 * or moves an output. Same sandbox rules as configuredOutputNames.
 */
export function fixedOutputNames(parameters: OutputParameters, table: FixedOutputTable): string[] {
	const mode = parameters.errorRouting || 'perCode';
	if (mode === 'stop') return ['Success'];
	if (mode === 'single') return ['Success', 'Error'];
	if (mode === 'perCategory') return ['Success'].concat(table.categories, [table.other]);
	const key = String(parameters.resource) + ':' + String(parameters.operation);
	const codes = table.operationCodes[key] || [];
	let chosen = parameters[table.codeParameters[key]];
	if (!Array.isArray(chosen)) chosen = codes;
	const names = ['Success'];
	for (let i = 0; i < codes.length; i++) {
		names.push((chosen as unknown[]).indexOf(codes[i]) !== -1 ? codes[i] : table.unchosenPrefix + codes[i]);
	}
	names.push(table.other);
	return names;
}
// Stryker restore all

/** A node version's output names for its parameters (its layout function bound to its table). */
export type OutputLayout = (parameters: OutputParameters) => string[];

export function buildOutputTable(
	operations: ReadonlyArray<{ resource: string; operation: string; id: OperationId }>,
): OutputTable {
	const operationCodes: Record<string, string[]> = {};
	const codeParameters: Record<string, string> = {};
	for (const { resource, operation, id } of operations) {
		operationCodes[`${resource}:${operation}`] = codesForOperation(id);
		codeParameters[`${resource}:${operation}`] = errorCodesParameter(resource, operation);
	}
	return {
		codes: ERROR_TABLE.map((row) => row.code),
		categories: [...ERROR_CATEGORIES],
		other: OTHER_ERROR_OUTPUT,
		operationCodes,
		codeParameters,
	};
}

export function buildFixedOutputTable(
	operations: ReadonlyArray<{ resource: string; operation: string; id: OperationId }>,
): FixedOutputTable {
	return { ...buildOutputTable(operations), unchosenPrefix: UNCHOSEN_PREFIX };
}

/**
 * The `outputs` expression of the node description. n8n's expression syntax ends at the first "}}", so
 * closing braces that would meet (nested JSON, closing blocks) are spaced apart; a "{{" inside is fine.
 */
export function outputsExpression(
	table: OutputTable,
	layout: (parameters: OutputParameters, table: never) => string[] = configuredOutputNames,
): `={{${string}}}` {
	const source = `(${layout.toString()})($parameter, ${JSON.stringify(table)}).map(function (name) { return { type: 'main', displayName: name }; })`;
	const safe = source.replace(/\}(?=\})/g, '} ');
	return `={{${safe}}}`;
}

/** Index of the output an error goes to, for the given output names (from configuredOutputNames). */
export function routeItem(error: SokuErrorInfo, mode: RoutingMode, outputNames: readonly string[]): number {
	if (mode === 'single') return 1;
	const last = outputNames.length - 1;
	if (mode === 'perCategory') {
		const index = outputNames.indexOf(String(error.type));
		return index > 0 ? index : last;
	}
	const index = error.known ? outputNames.indexOf(error.code) : -1;
	return index > 0 ? index : last;
}
